"""Beijing's 16 district outlines for the coverage page, as SVG paths.

The outlines come verbatim from a packaged source, Apache ECharts 4.9.0's
`map/json/province/beijing.json` (vendored with its licence and provenance in
bot/gateway/static/vendor/echarts-4.9.0-beijing/README.md). That file stores each ring in
ECharts' compact "UTF8Encoding": zigzag-encoded deltas of coordinates quantised to 1/1024
degree, two characters a point. This module decodes it (the same arithmetic as ECharts'
parseGeoJson.js), projects the points onto a flat map and simplifies each ring to what a
560-pixel map can show, once per process.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VENDORED_MAP = Path(__file__).parent / "static" / "vendor" / "echarts-4.9.0-beijing"
BOUNDARIES_FILE = VENDORED_MAP / "beijing.json"
BOUNDARIES_SOURCE = {
    "package": "echarts",
    "version": "4.9.0",
    "file": "map/json/province/beijing.json",
    "licence": "Apache-2.0",
    "url": "https://www.npmjs.com/package/echarts/v/4.9.0",
    "note": "Outlines for display only, not legal boundaries",
}
DEFAULT_SCALE = 1024  # ECharts' UTF8Scale when a file does not name one
MAP_WIDTH = 560.0
# Beijing lies around 40°N: one degree of longitude is cos(40°) of one of latitude there.
# An equirectangular projection at that latitude is true to shape within a few per cent
# across the city's 1.6 degrees of latitude.
REFERENCE_LATITUDE = 40.2
# Points closer than this to the line their neighbours draw are dropped (in map pixels).
SIMPLIFY_TOLERANCE_PX = 0.6
# A district smaller than this on the map (東城区, 西城区) gets no label on it; the table
# and the focus panel still name it.
LABEL_MIN_AREA_PX2 = 900.0

# English names as the districts' own governments write them (pinyin, "District").
DISTRICT_NAMES_EN = {
    "东城区": "Dongcheng",
    "西城区": "Xicheng",
    "朝阳区": "Chaoyang",
    "丰台区": "Fengtai",
    "石景山区": "Shijingshan",
    "海淀区": "Haidian",
    "门头沟区": "Mentougou",
    "房山区": "Fangshan",
    "通州区": "Tongzhou",
    "顺义区": "Shunyi",
    "昌平区": "Changping",
    "大兴区": "Daxing",
    "怀柔区": "Huairou",
    "平谷区": "Pinggu",
    "密云区": "Miyun",
    "延庆区": "Yanqing",
    # Not a district and not on the map: its residents are counted in 大兴区 and 通州区.
    "北京经济技术开发区": "Beijing Economic-Technological Development Area",
}

Point = tuple[float, float]  # (longitude, latitude), or (x, y) in map pixels
Ring = list[Point]


@dataclass(frozen=True)
class DistrictShape:
    """One district as the source gives it: polygons of rings of (longitude, latitude)."""

    adcode: str
    name: str
    polygons: list[list[Ring]]  # each polygon: its outer ring, then any holes
    centre: Point  # the source's label point (longitude, latitude)


@dataclass(frozen=True)
class DistrictOutline:
    """One district on the flat map: an SVG path and where its label goes."""

    adcode: str
    district: str
    district_en: str
    path: str
    label: tuple[float, float] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "adcode": self.adcode,
            "district": self.district,
            "district_en": self.district_en,
            "path": self.path,
            "label": list(self.label) if self.label else None,
        }


@dataclass(frozen=True)
class DistrictMap:
    width: float
    height: float
    districts: list[DistrictOutline]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"

    def as_json(self) -> dict[str, Any]:
        return {
            "view_box": self.view_box,
            "districts": [d.as_json() for d in self.districts],
            "source": BOUNDARIES_SOURCE,
        }


def decode_ring(encoded: str, offset: Sequence[int], scale: float) -> Ring:
    """One ring from ECharts' UTF8Encoding: per point two characters, each a zigzag-encoded
    difference (plus 64) from the previous point, starting from the ring's offset."""
    points = []
    x, y = int(offset[0]), int(offset[1])
    for i in range(0, len(encoded) - 1, 2):
        dx = ord(encoded[i]) - 64
        dy = ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x / scale, y / scale))
    return points


def _polygons(geometry: dict[str, Any], encoded: bool, scale: float) -> list[list[Ring]]:
    kind = geometry["type"]
    coordinates = geometry["coordinates"]
    polygons = [coordinates] if kind == "Polygon" else coordinates
    offsets = geometry.get("encodeOffsets")
    if kind == "Polygon" and offsets is not None:
        offsets = [offsets]
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"unexpected geometry {kind!r}")
    if not encoded:
        return [[[(float(p[0]), float(p[1])) for p in ring] for ring in poly] for poly in polygons]
    assert offsets is not None
    return [
        [decode_ring(ring, offsets[p][r], scale) for r, ring in enumerate(poly)]
        for p, poly in enumerate(polygons)
    ]


def load_shapes(path: Path = BOUNDARIES_FILE) -> list[DistrictShape]:
    """The districts in a GeoJSON file, decoding ECharts' compact encoding when it is used."""
    document = json.loads(path.read_text("utf-8"))
    encoded = bool(document.get("UTF8Encoding"))
    scale = float(document.get("UTF8Scale") or DEFAULT_SCALE)
    shapes = []
    for feature in document["features"]:
        properties = feature["properties"]
        centre = properties.get("cp") or [math.nan, math.nan]
        shapes.append(
            DistrictShape(
                adcode=str(feature.get("id") or properties.get("adcode") or ""),
                name=str(properties["name"]),
                polygons=_polygons(feature["geometry"], encoded, scale),
                centre=(float(centre[0]), float(centre[1])),
            )
        )
    return shapes


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas–Peucker, iterative (a ring can have thousands of points)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        furthest, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _distance_to_segment(points[i], points[first], points[last])
            if distance > furthest:
                furthest, index = distance, i
        if index >= 0 and furthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def ring_area(ring: Ring) -> float:
    """The area a ring encloses (shoelace formula), in its own units squared."""
    return abs(
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def ring_centroid(ring: Ring) -> Point:
    """The centre of mass of the area a ring encloses."""
    twice_area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        twice_area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if twice_area == 0:
        return ring[0]
    return cx / (3 * twice_area), cy / (3 * twice_area)


def label_point(shape: DistrictShape) -> Point:
    """Where a district's name goes: the middle of its largest part when that lies inside
    it, else the source's label point (the district seat, which for 门头沟区 sits on its
    eastern edge next to 石景山区)."""
    largest = max((polygon[0] for polygon in shape.polygons), key=ring_area)
    centre = ring_centroid(largest)
    return centre if contains(largest, centre) else shape.centre


def contains(ring: Ring, point: Point) -> bool:
    """Whether a point lies inside a ring (even-odd rule)."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _svg_ring(ring: Ring) -> str:
    # Closed rings repeat their first point; Z closes the path instead.
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    head, *rest = ring
    return f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest) + "Z"


def project(shapes: Sequence[DistrictShape], width: float = MAP_WIDTH) -> DistrictMap:
    """All districts on one flat map `width` pixels wide, north up."""
    points = [p for s in shapes for poly in s.polygons for ring in poly for p in ring]
    west = min(p[0] for p in points)
    east = max(p[0] for p in points)
    south = min(p[1] for p in points)
    north = max(p[1] for p in points)
    stretch = math.cos(math.radians(REFERENCE_LATITUDE))
    scale = width / ((east - west) * stretch)
    height = round((north - south) * scale, 1)

    def to_map(point: Point) -> Point:
        return ((point[0] - west) * stretch * scale, (north - point[1]) * scale)

    outlines = []
    for shape in shapes:
        rings = [
            simplify([to_map(p) for p in ring], SIMPLIFY_TOLERANCE_PX)
            for poly in shape.polygons
            for ring in poly
        ]
        rings = [r for r in rings if len(r) >= 4]
        outer_area = sum(ring_area(poly[0]) for poly in shape.polygons) * stretch * scale**2
        label = None
        if outer_area >= LABEL_MIN_AREA_PX2:
            x, y = to_map(label_point(shape))
            label = (round(x, 1), round(y, 1))
        outlines.append(
            DistrictOutline(
                adcode=shape.adcode,
                district=shape.name,
                district_en=DISTRICT_NAMES_EN.get(shape.name, ""),
                path="".join(_svg_ring(r) for r in rings),
                label=label,
            )
        )
    return DistrictMap(width=width, height=height, districts=outlines)


@functools.cache
def beijing_district_map() -> DistrictMap:
    """The vendored outlines, projected once per process (about 30 ms)."""
    return project(load_shapes())
