"""Emergency triage: the maintained rules and a classifier over e5 embeddings, one decision.

- `bank`: the labelled message bank the classifier learns from (knowledge_base/safety/triage_bank).
- `classifier`: softmax regression over e5 vectors, plus nearest neighbours for the category.
- `decision`: emergency, crisis, one quick check question, or a normal answer.

Runs in both Python environments (Rasa's is 3.10): numpy only, no torch.
"""
