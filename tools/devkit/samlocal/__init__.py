"""The functions under the real `sam local invoke` / `sam local start-api` (invoke: the
command; docker, sam, layers: the parts of a run)."""
