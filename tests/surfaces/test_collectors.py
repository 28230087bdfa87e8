"""The seed's collector methods (agent.surfaces.collectors) answer with the rules of agent/analysis, never their own.

Prices are the packaged book's (us-east-1): m5.large $0.096/h, m5.xlarge $0.192/h, m5.2xlarge $0.384/h,
db.m5.large PostgreSQL Single-AZ $0.178/h, RDS gp2 $0.115/GB-month, EBS gp2 $0.10/GB-month,
Lambda x86_64 $0.0000166667/GB-s.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from agent.surfaces.collectors import (
    EC2CostCollector,
    LambdaCostCollector,
    NetworkCostCollector,
    RDSCostCollector,
    S3CostCollector,
)
from tools.aws.clients import ClientFactory
from tools.aws.lambda_costs import NOTE_COLD_STARTS
from tools.models import CostRow, MetricSummary, PurchaseRecommendation, Resource
from tools.pricing.book import PriceBook
from tools.settings import load_settings

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
GIB = 1024**3
SP_ADVICE = PurchaseRecommendation(kind="savings_plan", service="COMPUTE_SP", estimated_monthly_savings=500.0,
                                   savings_percentage=28.0, hourly_commitment=1.5)
RI_ADVICE = PurchaseRecommendation(kind="reserved_instance", service="RDS", region="us-east-1",
                                   instance_type="db.m5.large", engine="PostgreSQL", deployment="Single-AZ",
                                   count=2, estimated_monthly_savings=103.96, savings_percentage=40.0)


def series(values: list[float], statistic: str = "Average") -> MetricSummary:
    """Daily values ending the day before NOW."""
    last = NOW.date() - timedelta(days=1)
    daily = {last - timedelta(days=len(values) - 1 - i): v for i, v in enumerate(values)}
    return MetricSummary(metric="m", statistic=statistic, daily=daily, average=sum(values) / len(values),
                         maximum=max(values), total=sum(values), days=len(values), insufficient=len(values) < 7)


def instance(iid: str, cpu: list[float], cpu_max: float, net: float, itype: str = "m5.2xlarge",
             **tags: str) -> Resource:
    return Resource(
        resource_id=iid, kind="ec2_instance", service="EC2", region="us-east-1", resource_type=itype,
        state="running", tags=tags, monthly_cost=280.32 if itype == "m5.2xlarge" else 70.08,
        attributes={"lifecycle": "on-demand", "platform": "Linux/UNIX"},
        utilization={"cpu": series(cpu), "cpu_max": series([cpu_max] * len(cpu), "Maximum"),
                     "network_in": series([net] * len(cpu), "Sum"),
                     "network_out": series([0.0] * len(cpu), "Sum")})


@pytest.fixture
def book() -> PriceBook:
    return PriceBook.load()


@pytest.fixture
def ec2(book) -> EC2CostCollector:
    return EC2CostCollector(None, book, load_settings())  # type: ignore[arg-type]


@pytest.fixture
def fleet() -> list[Resource]:
    return [
        instance("i-idle", [1.0] * 14, 3.0, 1000.0),          # CPU 1 % (peak 3 %), 1,000 B/day < 1 MiB
        instance("i-net", [1.0] * 14, 3.0, 2_000_000.0),      # as idle, but 2,000,000 B/day >= 1 MiB
        instance("i-small", [10.0] * 14, 30.0, 5e6, env="dev"),
        instance("i-short", [1.0] * 5, 3.0, 0.0),             # 5 days < MIN_DATA_DAYS 7
        instance("i-steady", [50.0] * 14, 90.0, 5e6, env="prod"),
    ]


def ids(resources: list[Resource]) -> list[str]:
    return [r.resource_id for r in resources]


def test_ec2_instances_judged_by_the_rules(ec2, fleet):
    by_id = {r.resource_id: r for r in fleet}
    assert ids(ec2.identify_idle_instances(fleet)) == ["i-idle"]
    # every daily average under 20 % for 14 days, and a smaller m5 carries the peak
    assert ids(ec2.identify_underutilized_instances(fleet)) == ["i-net", "i-small"]
    assert ids(ec2.get_spot_opportunities(fleet)) == ["i-small"]  # env=dev; i-idle is idle, the rest production
    # peak = CPUUtilization Maximum: 8 vCPUs x 30 % / 60 % target = 4 vCPUs -> m5.xlarge; 8 x 3 % / 60 % -> m5.large
    assert ec2.rightsizing_target(by_id["i-small"]) == "m5.xlarge"
    assert ec2.rightsizing_target(by_id["i-net"]) == "m5.large"
    assert ec2.rightsizing_target(by_id["i-steady"]) is None
    assert (ec2.is_idle(by_id["i-idle"]), ec2.is_underutilized(by_id["i-idle"]),
            ec2.is_spot_eligible(by_id["i-idle"])) == (True, False, False)
    # rightsizing (0.384 - 0.192) x 730 = 140.16 beats spot 280.32 x 35 % = 98.11: the largest counts
    assert ec2.to_seed_dict(by_id["i-small"]) == {
        "instance_id": "i-small", "instance_type": "m5.2xlarge", "region": "us-east-1", "monthly_cost": 280.32,
        "utilization": {"cpu_avg": 10.0, "network_mb_day": 4.77},  # 5e6 / 1,048,576
        "optimization": {"is_idle": False, "is_underutilized": True, "spot_eligible": True,
                         "rightsizing_recommendation": "m5.xlarge", "estimated_savings": 140.16}}
    assert ec2.to_seed_dict(by_id["i-idle"])["optimization"]["estimated_savings"] == 280.32  # 730 x 0.384
    assert ec2.to_seed_dict(by_id["i-short"])["optimization"] == {
        "is_idle": False, "is_underutilized": False, "spot_eligible": False, "rightsizing_recommendation": None,
        "estimated_savings": 0.0}
    assert ec2.analyze_instance_types(fleet) == {"m5.2xlarge": {
        "count": 5, "monthly_cost": 1401.6, "cpu_avg": 12.6}}  # 5 x 280.32; (1 + 1 + 10 + 1 + 50) / 5


def test_reservation_advice_only_from_aws(ec2, book, fleet):
    assert ec2.get_reserved_instance_recommendations(fleet) == []  # no advice: no fixed discount assumed
    # Savings Plan only where no rightsizing/spot applies: i-steady, 280.32 x 28 % = 78.4896
    expected = [{"instance_id": "i-steady", "instance_type": "m5.2xlarge", "region": "us-east-1",
                 "monthly_cost": 280.32, "estimated_savings": 78.49}]
    assert ec2.get_reserved_instance_recommendations(fleet, [SP_ADVICE]) == expected
    advised = EC2CostCollector(None, book, load_settings(), purchases=[SP_ADVICE])  # type: ignore[arg-type]
    assert advised.get_reserved_instance_recommendations(fleet) == expected


def test_group_members_are_found_through_the_group_finding(ec2):
    asg = {"aws:autoscaling:groupName": "web-asg"}
    idle = [instance(f"i-w{n}", [1.0] * 14, 3.0, 0.0, "m5.large", env="prod", **asg) for n in (1, 2)]
    assert ids(ec2.identify_idle_instances(idle)) == ["i-w1", "i-w2"]
    assert ec2.get_spot_opportunities(idle) == []
    assert ec2.to_seed_dict(idle[0], idle)["optimization"]["estimated_savings"] == 70.08  # its share: 730 x 0.096
    # one busy member: the group would relaunch a stopped instance, so nobody is idle (only spot, per instance)
    mixed = [idle[0], instance("i-w3", [50.0] * 14, 90.0, 5e6, "m5.large", env="prod", **asg)]
    assert ec2.identify_idle_instances(mixed) == []
    assert ids(ec2.get_spot_opportunities(mixed)) == ["i-w3"]
    batch = {"aws:autoscaling:groupName": "batch"}
    sized = [instance(f"i-b{n}", [10.0] * 14, 15.0, 5e6, env="prod", **batch) for n in (1, 2)]
    assert ids(ec2.identify_underutilized_instances(sized)) == ["i-b1", "i-b2"]
    assert ec2.rightsizing_target(sized[1], sized) == "m5.large"  # 8 vCPUs x 15 % / 60 % = 2 vCPUs
    # its share (0.384 - 0.096) x 730 = 210.24 beats spot 280.32 x 35 % = 98.11
    assert ec2.to_seed_dict(sized[0], sized)["optimization"]["estimated_savings"] == 210.24


def test_a_stopped_instance_pays_for_its_volumes_but_is_not_an_idle_instance(ec2):
    stopped = Resource(resource_id="i-stopped", kind="ec2_instance", service="EC2", region="us-east-1",
                       resource_type="m5.large", state="stopped", attributes={"volume_ids": ["vol-1"]})
    disk = Resource(resource_id="vol-1", kind="ebs_volume", service="EBS", region="us-east-1", resource_type="gp2",
                    state="in-use", attributes={"size_gb": 100, "iops": 300, "attached_to": "i-stopped",
                                                "state": "in-use"})
    assert ec2.identify_idle_instances([stopped, disk]) == []
    assert ec2.is_idle(stopped, [disk])
    assert ec2.to_seed_dict(stopped, [disk])["optimization"]["estimated_savings"] == 10.0  # 100 GB x $0.10


def test_ebs_and_network_collected_and_judged_through_the_facade():
    with mock_aws():
        settings = load_settings()
        client = boto3.client("ec2", "us-east-1")
        web = client.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                   InstanceType="m5.large")["Instances"][0]["InstanceId"]
        free = client.create_volume(Size=100, AvailabilityZone="us-east-1a", VolumeType="gp2")["VolumeId"]
        used = client.create_volume(Size=200, AvailabilityZone="us-east-1a", VolumeType="gp3")["VolumeId"]
        client.attach_volume(VolumeId=used, InstanceId=web, Device="/dev/sdf")
        eip_free = client.allocate_address(Domain="vpc")["AllocationId"]
        eip_used = client.allocate_address(Domain="vpc")["AllocationId"]
        client.associate_address(AllocationId=eip_used, InstanceId=web)
        subnet = client.describe_subnets()["Subnets"][0]["SubnetId"]
        eip_nat = client.allocate_address(Domain="vpc")["AllocationId"]
        nat_id = client.create_nat_gateway(SubnetId=subnet, AllocationId=eip_nat)["NatGateway"]["NatGatewayId"]
        factory = ClientFactory(settings)
        ec2 = EC2CostCollector(factory, PriceBook.load(), settings)
        network = NetworkCostCollector(factory, PriceBook.load(), settings)
        inventory = ec2.collect("us-east-1")
        assert ids(ec2.identify_unattached_ebs(inventory)) == [free]
        addresses = network.collect("us-east-1")
        assert ids(network.identify_unassociated_eips(addresses)) == [eip_free]
        assert ids(ec2.identify_unassociated_eips(addresses)) == [eip_free]
        [nat] = [r for r in addresses if r.resource_id == nat_id]
        assert network.identify_idle_nat_gateways([nat]) == []  # no traffic data: not idle by guess
        # 14 days x (10 + 5) bytes = 210 bytes < 1 MB
        nat.utilization = {"bytes_out": series([10.0] * 14, "Sum"), "bytes_in": series([5.0] * 14, "Sum")}
        assert network.identify_idle_nat_gateways([nat]) == [nat]
        assert ec2.identify_idle_nat_gateways([nat]) == [nat]


def database(name: str, db_class: str, engine: str, connections: float, multi_az: bool = False,
             **tags: str) -> Resource:
    return Resource(resource_id=f"arn:aws:rds:us-east-1:123456789012:db:{name}", kind="rds_instance", service="RDS",
                    region="us-east-1", resource_type=db_class, state="available", name=name, tags=tags,
                    attributes={"engine": engine, "multi_az": multi_az, "allocated_storage_gb": 20 if
                                engine == "mysql" else 100, "storage_type": "gp2", "iops": None,
                                "storage_monthly_cost": 2.3},
                    utilization={"connections": series([connections] * 14, "Maximum")})


def snapshot(name: str, created: datetime) -> Resource:
    return Resource(resource_id=f"arn:aws:rds:us-east-1:123456789012:snapshot:{name}", kind="rds_snapshot",
                    service="RDS", region="us-east-1", resource_type="manual", state="available", name=name,
                    created=created, attributes={"size_gb": 20, "snapshot_create_time": created})


def test_rds_judged_by_the_rules(book):
    rds = RDSCostCollector(None, book, load_settings())  # type: ignore[arg-type]
    orders = database("orders", "db.t3.micro", "mysql", 0.0)                       # no connection in 14 days
    reports = database("reports", "db.m5.large", "postgres", 12.0, True, env="staging")
    legacy = database("legacy", "db.m5.large", "postgres", 12.0, True)             # Multi-AZ, untagged
    billing = database("billing", "db.m5.large", "postgres", 30.0, env="prod")
    old = snapshot("orders-before-upgrade", NOW - timedelta(days=115))
    recent = snapshot("orders-weekly", NOW - timedelta(days=54))
    fleet = [orders, reports, legacy, billing, old, recent]
    assert rds.identify_idle_databases(fleet) == [orders]
    assert rds.identify_multi_az_opportunities(fleet) == [reports]  # only explicitly non-production
    assert rds.get_reserved_instance_recommendations(fleet) == []  # no AWS advice: no fixed discount
    # AWS: $103.96 a month for 2 instances -> 51.98 each; monthly cost 730 x 0.178 + 100 GB x 0.115 = 141.44
    assert rds.get_reserved_instance_recommendations(fleet, [RI_ADVICE]) == [
        {"db_instance_id": "billing", "instance_class": "db.m5.large", "region": "us-east-1",
         "monthly_cost": 141.44, "estimated_savings": 51.98}]
    advised = RDSCostCollector(None, book, load_settings(), purchases=[RI_ADVICE])  # type: ignore[arg-type]
    assert [r["db_instance_id"] for r in advised.get_reserved_instance_recommendations(fleet)] == ["billing"]
    assert rds.analyze_snapshot_costs(fleet, now=NOW) == [old]  # 115 days > 90; 54 days not
    assert rds.analyze_snapshot_costs(fleet, now=NOW + timedelta(days=40)) == [old, recent]  # 94 days > 90
    assert rds.analyze_storage_costs([orders]) == [
        {"db_instance_id": "orders", "region": "us-east-1", "storage_type": "gp2", "allocated_storage_gb": 20,
         "storage_monthly_cost": 2.3, "provisioned_iops": None, "read_iops_avg": None, "write_iops_avg": None}]


def function(name: str, memory: int, **utilization: MetricSummary) -> Resource:
    return Resource(resource_id=f"arn:aws:lambda:us-east-1:123456789012:function:{name}", kind="lambda_function",
                    service="Lambda", region="us-east-1", resource_type="python3.12", name=name,
                    attributes={"memory_mb": memory, "architecture": "x86_64"}, utilization=utilization)


def test_lambda_judged_by_the_rules(book):
    lam = LambdaCostCollector(None, book, load_settings())  # type: ignore[arg-type]
    usage = {"invocations": series([100_000.0] * 14, "Sum"), "duration": series([500.0] * 14),
             "errors": series([50.0] * 14, "Sum")}
    resize = function("resize", 1024, **usage, memory_used_max=series([180.0] * 14, "Maximum"),
                      cold_starts=series([20.0] * 14, "SampleCount"))
    tight = function("tight", 512, **usage, memory_used_max=series([400.0] * 14, "Maximum"))
    nightly = function("nightly", 256)
    functions = [resize, tight, nightly]
    assert lam.calculate_optimal_memory(resize) == 256  # ceil(180 x 1.25 / 64) x 64 <= 0.75 x 1024
    assert lam.calculate_optimal_memory(tight) is None  # ceil(400 x 1.25 / 64) x 64 = 512 > 0.75 x 512
    assert lam.calculate_optimal_memory(nightly) is None  # no Lambda Insights
    # 100,000 x 730/24 = 3,041,666.67 calls x 0.5 s x 1 GB = 1,520,833.33 GB-s x $0.0000166667 = $25.3473;
    # x (1 - 256/1024) = 19.0105
    assert lam.identify_over_provisioned(functions) == [
        {"function_name": "resize", "region": "us-east-1", "memory_mb": 1024, "recommended_memory_mb": 256,
         "estimated_savings": 19.01}]
    assert lam.identify_cold_starts([resize, nightly]) == [
        {"function_name": "resize", "region": "us-east-1", "cold_starts": 280.0, "cold_start_pct": 0.02,
         "note": ""},  # 14 x 20 = 280 of 1,400,000
        {"function_name": "nightly", "region": "us-east-1", "cold_starts": None, "cold_start_pct": None,
         "note": NOTE_COLD_STARTS}]
    invocations = lam.analyze_invocations([resize])[0]
    assert (invocations["invocations"], invocations["errors"], invocations["error_rate_pct"]) == (
        1_400_000.0, 700.0, 0.05)  # 14 x 100,000; 14 x 50; 100 x 700 / 1,400,000


def bucket(name: str, standard_gb: float | None, rules: int, uploads: int, oldest: datetime | None,
           abort_rule: bool = False) -> Resource:
    return Resource(resource_id=name, kind="s3_bucket", service="S3", region="us-east-1", resource_type="bucket",
                    name=name,
                    attributes={"lifecycle_rules": rules, "has_abort_incomplete_rule": abort_rule,
                                "storage_gb_by_class": {"STANDARD": standard_gb} if standard_gb else {},
                                "incomplete_uploads": uploads, "incomplete_upload_oldest": oldest,
                                "incomplete_parts_gb": 0.001953 if uploads else 0.0},
                    utilization={"size_standard": series([standard_gb * GIB] * 14)} if standard_gb else {})


def test_s3_judged_by_the_rules(book):
    s3 = S3CostCollector(None, book, load_settings())  # type: ignore[arg-type]
    logs = bucket("logs-east", 100.0, 0, 2, NOW - timedelta(days=10))  # 100 GB >= 50, no rules; uploads 10 days
    data = bucket("data-eu", None, 1, 0, None, abort_rule=True)
    small = bucket("small", 10.0, 0, 0, None)                            # 10 GB < S3_LIFECYCLE_MIN_GB 50
    fresh = bucket("fresh", None, 1, 1, NOW - timedelta(days=3))         # uploads 3 days old
    buckets = [logs, data, small, fresh]
    assert ids(s3.identify_lifecycle_opportunities(buckets)) == ["logs-east"]
    assert ids(s3.identify_incomplete_uploads(buckets, now=NOW)) == ["logs-east"]
    assert ids(s3.identify_incomplete_uploads(buckets, now=NOW + timedelta(days=5))) == ["logs-east", "fresh"]
    assert s3.analyze_storage_classes(buckets) == {"STANDARD": 110.0}
    rows = [CostRow(day=date(2026, 11, d), service="Amazon Simple Storage Service", region="us-east-1",
                    usage_type="USE1-DataTransfer-Out-Bytes", cost=c) for d, c in ((1, 1.234), (2, 2.345))]
    rows += [CostRow(day=date(2026, 11, 1), service="Amazon Simple Storage Service", region="us-east-1",
                     usage_type="USE1-TimedStorage-ByteHrs", cost=9.0),
             CostRow(day=date(2026, 11, 1), service="Amazon Elastic Compute Cloud - Compute", region="us-east-1",
                     usage_type="USE1-DataTransfer-Out-Bytes", cost=5.0)]
    assert s3.calculate_transfer_costs(rows) == {"USE1-DataTransfer-Out-Bytes": 3.58}  # 1.234 + 2.345 = 3.579
