"""Developer tooling, not shipped to Lambda, in rooms:
- local/: `make run`'s server (and its HTTP layer, static files, docs page, run files, fake
  Bot API), the environment the functions get outside AWS, dev initData, background processes;
- samlocal/: the functions under the real `sam local` (`python -m devkit.samlocal`);
- template/: what is read or written from template.yaml: its reader, the tables it declares,
  the functions' alarms (`make alarms`), the OpenAPI document (`make openapi`);
- functions/: the functions in this process: their handlers as the template names them, the
  API Gateway events they get, the events_fixtures and their placeholder values;
- ops/: the operator commands (make-admin, seed-events, remind, mails, set-webhook,
  publish-miniapp);
- capacity/: launch-day DynamoDB capacity on paper (`make capacity`)."""
