"""Business rules as plain functions. Services decide on entities, call the data layer (never
PynamoDB) to read and write them, and give the handlers schemas."""
