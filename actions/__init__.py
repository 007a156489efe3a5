"""Custom actions for the Rasa server: thin adapters over the knowledge_base library.

rasa-sdk imports every module in this package to find Action classes, so modules here do no
work at import time; services are built on first use by `actions.composition`.
"""
