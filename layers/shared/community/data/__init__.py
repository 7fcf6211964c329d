"""The data layer: the only code that touches PynamoDB or botocore. It raises the package's own
exceptions (community.errors), never a PynamoDB or botocore one."""
