"""Developer tooling: the local API server, table creation from template.yaml, API Gateway
event building and dev initData signing. Not shipped to Lambda."""
