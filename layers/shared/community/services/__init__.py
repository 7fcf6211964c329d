"""Business rules as plain functions. Services call the data layer, never PynamoDB."""
