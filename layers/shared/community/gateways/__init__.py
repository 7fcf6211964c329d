"""The services outside AWS's DynamoDB that the package talks to: SES (`mail`), CloudFront
(`cdn`), the Telegram Bot API (`telegram_bot`) and Secrets Manager (`credentials`). Each turns
what the service or the network did into a plain result or the package's own exception; with
community/data/, the only code that may import boto3 or botocore (ruff's banned-api rule)."""
