"""The aiohttp gateway: chat API, browser page and health, in front of Rasa."""
