"""Emergency triage: the maintained rules and a classifier over e5 embeddings, one decision.

- `bank`: the labelled message bank the classifier learns from (knowledge_base/safety/triage_bank).
- `features`: what the classifier reads (the e5 vector and hashed n-grams of the text).
- `classifier`: softmax regression over those, plus nearest neighbours for the category.
- `build`: trains it at setup when the bank or the embedding model changed.
- `decision`: emergency, crisis, one quick check question, or a normal answer.

Runs in both Python environments (Rasa's is 3.10): numpy only, no torch.
"""
