"""The services that face people: web gateway, Telegram connector, process runner, CLI."""
