"""The data layer: the only code that touches PynamoDB, botocore or boto3 (ruff's banned-api
rule, TID251, fails on an import of them anywhere else in the package). It takes plain values
and `community.entities`, returns entities, never an item, and raises the package's own
exceptions (community.errors), never a PynamoDB or botocore one."""
