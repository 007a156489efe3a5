"""Custom Rasa components. Imported only by the Rasa server in `.venv-rasa` (Python 3.10).

This is the one place where project code may import `rasa`: Rasa loads these classes from
`config.yml`. Nothing in `knowledge_base`, `actions` or `bot` imports this package.
"""
