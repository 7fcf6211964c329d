"""The data layer: DynamoDB, and the only code that touches PynamoDB (ruff's banned-api rule,
TID251, fails on an import of it anywhere else in the package; boto3 and botocore are allowed
here and in community/gateways/ only). It takes plain values and `community.entities`, returns
entities, never an item, and raises the package's own exceptions (community.errors), never a
PynamoDB or botocore one."""
