"""`make capacity`: launch-day DynamoDB capacity on paper, from the code and the template.

Item sizes are measured on real items: built the way the services build them (events through
`community.services.seeding.to_event`), serialised by PynamoDB as a PutItem would send them, and
sized by DynamoDB's rules (`community.data.sizes`). Tables, indexes and projections are read
from template.yaml, so an index entry is what the template projects. Each request type is
modelled as the DynamoDB calls its handler makes (the same sequence as the CALLS table of
tests/integration/test_fault_injection.py, which a unit test compares), and billed:

- reads: GetItem and each BatchGetItem item by its own size rounded up to 4 KB; a Query by the
  sum of the entries it returns rounded up to 4 KB; eventually consistent = half a unit, and
  a GSI is always eventually consistent; a miss still costs the minimum;
- writes: the larger of the item's before and after images, rounded up to 1 KB; twice that in
  TransactWriteItems (prepare and commit), condition checks included; a GSI is written (1 unit
  per KB of its entry, not transactional) when an entry appears, disappears (1 write), changes
  key (2: delete and put) or changes a projected attribute (1); otherwise not at all.

Then per table, per index and per partition key value: units per second, against DynamoDB's
per-partition limits (3,000 RCU/s, 1,000 WCU/s for one partition key value; adaptive capacity
and split-for-heat cannot split a single key value of a base table), the API Gateway route
throttle of the template, and the cost at on-demand prices. Exit status 1 when a partition
key value is over its limit."""
