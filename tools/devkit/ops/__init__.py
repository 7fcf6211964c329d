"""The operator's commands (`make make-admin`, `seed-events`, `remind`, `mails`, `set-webhook`,
`publish-miniapp`), against a running `make run` or a deployed stack."""
