"""What every endpoint's errors look like."""

from pydantic import BaseModel


class ErrorBody(BaseModel):
    success: bool = False
    detail: str | list[dict[str, object]]
