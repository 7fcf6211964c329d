"""The framework floor: FastAPI + Mangum + PynamoDB, one route, one GetItem, nothing else."""

import os

from fastapi import FastAPI
from mangum import Mangum
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model


class Item(Model):
    class Meta:
        table_name = os.environ["USERS_TABLE"]
        host = os.environ.get("DYNAMODB_ENDPOINT_URL")
        region = os.environ.get("AWS_REGION", "us-east-1")

    pk = UnicodeAttribute(hash_key=True)


app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, object]:
    try:
        Item.get("USER#42")
        found = True
    except Item.DoesNotExist:
        found = False
    return {"hello": "world", "found": found}


handler = Mangum(app, lifespan="off")
