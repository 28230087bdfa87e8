"""The simulated AWS account (see docs/architecture.md).

- The fleet as data: `fleet` (blocks, `build_fleet`) of `fleet_templates` types, from `fleet_standard` and
  `fleet_extended`; `planted` (what was made, with its ids).
- moto: `core` (`Sandbox`, the servers), `seed` (resources), `metrics` (CloudWatch history), `tag_index` and
  `cw_index` (fleet-scale reads).
- The bill: `costs` (the daily cost table) of `cost_lines`, with `anomalies`, `adjustments` and `reservations`;
  `rates` (rate rules), `billing` (billed rates), `advice` (AWS's purchase advice), `waste_pricing`.
- Local servers on `local_server`: `ce_server` (Cost Explorer: `ce_query`, `ce_commitments`,
  `ce_recommendations`) and `bedrock_server` (Converse).
- Many accounts (`Sandbox(accounts=N)`): `org` (the organization and its members in moto), `assume_role` (AssumeRole
  into a member obeys the role's trust policy), `org_truth`.
- `truth`: ground_truth.json (`org_truth` with members).
"""
