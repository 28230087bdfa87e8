"""The price book: prices exactly as the named source lists them, regional estimates, specs, generations, errors."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import botocore
import moto
import pytest

from tools.models import PriceQuote
from tools.pricing.book import HOURS_PER_MONTH, InstanceSpec, PriceBook, PriceNotFound, monthly, size_rank

ROOT = Path(__file__).resolve().parents[2]
KARPENTER = ROOT / "scripts" / "price_book" / "source" / "zz_generated.pricing_aws.go"
EC2 = "price book 2026-07-20 (Karpenter AWS provider pricing table, from the AWS Pricing API)"
EBS = "price book 2026-11-01 (AWS EBS prices, transcribed)"


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return PriceBook.load()


def _karpenter_prices() -> dict[str, str]:
    """The saved Karpenter file, read independently of the generator: '"m5.large": 0.096000,' entries."""
    text = KARPENTER.read_text(encoding="utf-8")
    assert "// generated at 2026-07-20T13:44:30Z for us-east-1" in text
    assert "// Repository: https://github.com/aws/karpenter-provider-aws" in text
    assert "// License:    Apache-2.0" in text
    return dict(re.findall(r'"([a-z0-9-]+\.[a-z0-9-]+)": ([0-9.]+),', text))


def test_load_is_cached(book: PriceBook) -> None:
    assert PriceBook.load() is book
    assert book.effective_date == date(2026, 7, 20)  # the Karpenter table's generation date
    assert book.label == EC2


def test_m5_large_us_east_1(book: PriceBook) -> None:
    quote = book.ec2_hourly("us-east-1", "m5.large")
    assert quote == PriceQuote(unit_price=0.096, unit="hour", effective_date=date(2026, 7, 20),
                               source=f"{EC2}: us-east-1 m5.large Linux on-demand")
    assert monthly(quote) == Decimal("70.08")
    assert monthly(quote, 3) == Decimal("210.24")
    assert Decimal(730) == HOURS_PER_MONTH


@pytest.mark.parametrize(("instance_type", "text"), [
    ("m5.large", "0.096000"), ("c6g.metal", "2.306600"), ("x8i.96xlarge", "48.744380"),
])
def test_three_types_match_the_saved_karpenter_file(book: PriceBook, instance_type: str, text: str) -> None:
    """Parsed here with a regex of its own: the quoted price is the file's number, to the digit."""
    assert _karpenter_prices()[instance_type] == text
    assert Decimal(str(book.ec2_hourly("us-east-1", instance_type).unit_price)) == Decimal(text)


def test_every_type_is_the_karpenter_price(book: PriceBook) -> None:
    source = _karpenter_prices()
    assert len(source) == 1367
    assert set(book.instance_types()) == set(source)
    wrong = {t: (book.ec2_hourly("us-east-1", t).unit_price, p) for t, p in source.items()
             if Decimal(str(book.ec2_hourly("us-east-1", t).unit_price)) != Decimal(p)}
    assert wrong == {}


@pytest.mark.parametrize(("instance_type", "price"), [
    ("t2.micro", 0.0116), ("t3.micro", 0.0104), ("t3a.medium", 0.0376), ("t4g.small", 0.0168),
    ("m4.xlarge", 0.2), ("m5.24xlarge", 4.608), ("m5a.large", 0.086), ("m6i.32xlarge", 6.144),
    ("m6g.medium", 0.0385), ("m7g.large", 0.0816), ("m7i.large", 0.1008), ("c4.8xlarge", 1.591),
    ("c5.9xlarge", 1.53), ("c6g.xlarge", 0.136), ("c7i.large", 0.08925), ("r4.large", 0.133),
    ("r5.large", 0.126), ("r6g.large", 0.1008), ("r7g.16xlarge", 3.4272), ("i3.large", 0.156),
    ("i4i.large", 0.172), ("x2idn.16xlarge", 6.669), ("m3.medium", 0.067), ("m8g.large", 0.08976),
    ("p5.48xlarge", 55.04), ("u7i-12tb.224xlarge", 125.58182),
])
def test_us_east_1_prices(book: PriceBook, instance_type: str, price: float) -> None:
    assert book.ec2_hourly("us-east-1", instance_type).unit_price == price


def test_the_book_prices_linux_only(book: PriceBook) -> None:
    assert book.ec2_hourly("us-east-1", "m5.large", "RunInstances").unit_price == 0.096
    for operation in ("RunInstances:0002", "RunInstances:0010", "RunInstances:000g", "RunInstances:0006"):
        with pytest.raises(PriceNotFound, match=operation):
            book.ec2_hourly("us-east-1", "m5.large", operation)


def test_other_regions_are_estimates_from_the_anchor_ratio(book: PriceBook) -> None:
    quote = book.ec2_hourly("eu-west-1", "m5.xlarge")
    assert quote.unit_price == 0.214  # 0.192 x 0.107 / 0.096
    assert quote.source == (
        "price book 2026-07-20 (Karpenter AWS provider pricing table, from the AWS Pricing API; regional estimate: "
        "eu-west-1 = us-east-1 x 1.1146, the m5.large price ratio): eu-west-1 m5.xlarge Linux on-demand")
    assert book.ec2_hourly("eu-west-1", "m5.large").unit_price == 0.107
    assert book.ec2_hourly("eu-west-1", "t3.micro").unit_price == 0.0114
    assert book.ec2_hourly("ap-northeast-1", "c5.large").unit_price == 0.107
    assert book.ec2_hourly("us-east-2", "r5.2xlarge").unit_price == 0.504
    # A region without anchors borrows its proxy's ratio, and says so.
    proxied = book.ec2_hourly("eu-south-2", "m5.xlarge")
    assert proxied.unit_price == 0.224  # 0.192 x 0.112 / 0.096 (eu-west-3's anchor)
    assert "regional estimate: eu-south-2 has no anchor prices, eu-west-3's m5.large price ratio used" in proxied.source


def test_every_commercial_region_is_priced_everywhere(book: PriceBook) -> None:
    endpoints = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    (aws,) = [p for p in endpoints["partitions"] if p["partition"] == "aws"]
    assert set(book.regions()) == set(aws["regions"]) and len(book.regions()) == 34
    for region in book.regions():
        for quote in (book.ec2_hourly(region, "m5.large"), book.ebs_gb_month(region, "gp3"),
                      book.rds_hourly(region, "db.t3.micro", "mysql"), book.s3_gb_month(region, "GLACIER"),
                      book.lambda_gb_second(region, "arm64"), book.nat_gb(region), book.eip_hourly(region),
                      book.snapshot_gb_month(region), book.rds_storage_gb_month(region, "io1"),
                      book.rds_snapshot_gb_month(region), book.ebs_iops_month(region, "io2"),
                      book.snapshot_gb_month(region, "archive"), book.eip_hourly(region, "in-use"),
                      book.ebs_throughput_month(region)):
            assert quote.unit_price > 0
            assert quote.source.startswith("price book 20")
            assert f": {region} " in quote.source
            if region != "us-east-1" and "regional estimate" not in quote.source:
                # only exact regional entries may skip the estimate note
                assert quote.source.split(": ", 1)[0].count(";") == 0


def test_ebs(book: PriceBook) -> None:
    gp2, gp3 = book.ebs_gb_month("us-east-1", "gp2"), book.ebs_gb_month("us-east-1", "gp3")
    assert (gp2.unit_price, gp3.unit_price, gp2.unit) == (0.1, 0.08, "GB-month")
    assert monthly(gp2, 500) - monthly(gp3, 500) == Decimal("10.00")
    assert gp3.source == f"{EBS}: us-east-1 EBS gp3 storage"
    assert gp3.effective_date == date(2026, 11, 1)
    assert book.ebs_gb_month("eu-west-1", "gp2").unit_price == 0.11
    assert [book.ebs_gb_month("us-east-1", t).unit_price for t in ("io1", "io2", "st1", "sc1", "standard")] == [
        0.125, 0.125, 0.045, 0.015, 0.05]
    assert [book.ebs_iops_month("us-east-1", t).unit_price for t in ("io1", "io2", "gp3")] == [0.065, 0.065, 0.005]
    assert book.snapshot_gb_month("us-east-1").unit_price == 0.05
    assert book.snapshot_gb_month("us-east-1", "archive").unit_price == 0.0125
    throughput = book.ebs_throughput_month("us-east-1", "gp3")
    assert (throughput.unit_price, throughput.unit) == (0.04, "MiBps-month")
    assert book.ebs_throughput_month("ap-northeast-1").unit_price == 0.048  # the EBS storage ratio, 1.2


def test_rds(book: PriceBook) -> None:
    single = book.rds_hourly("us-east-1", "db.m5.large", "mysql", multi_az=False)
    multi = book.rds_hourly("us-east-1", "db.m5.large", "mysql", multi_az=True)
    assert (single.unit_price, multi.unit_price) == (0.171, 0.342)
    assert multi.source == ("price book 2026-11-01 (AWS RDS instance prices, transcribed): "
                            "us-east-1 db.m5.large mysql Multi-AZ (2x Single-AZ) on-demand")
    assert book.rds_hourly("us-east-1", "db.t3.micro", "postgres", False).unit_price == 0.018
    assert book.rds_hourly("us-east-1", "db.r6g.large", "mariadb", False).unit_price == 0.215
    assert monthly(book.rds_storage_gb_month("us-east-1", "gp2", multi_az=True), 100) == Decimal("23.000")
    assert book.rds_storage_gb_month("us-east-1", "gp3", False).unit_price == 0.115
    assert book.rds_storage_gb_month("us-east-1", "io1", False).unit_price == 0.125
    assert book.rds_snapshot_gb_month("us-east-1").unit_price == 0.095
    with pytest.raises(PriceNotFound, match="'oracle-ee'"):
        book.rds_hourly("us-east-1", "db.m5.large", "oracle-ee", False)


def test_lambda_s3_network(book: PriceBook) -> None:
    assert book.lambda_gb_second("us-east-1", "x86_64").unit_price == 0.0000166667
    assert book.lambda_gb_second("us-east-1", "arm").unit_price == 0.0000133334
    # artillery@2.0.28's exact regional prices (USD 1e-11 per GB-second: 2210000 and 1768000)
    cape_town = book.lambda_gb_second("af-south-1", "arm64")
    assert (cape_town.unit_price, book.lambda_gb_second("af-south-1", "x86").unit_price) == (0.00001768, 0.0000221)
    assert cape_town.source == ("price book 2026-11-01 (AWS Lambda duration prices as artillery@2.0.28 lists them): "
                                "af-south-1 Lambda arm64 duration")
    request = book.lambda_request("us-east-1")
    assert (request.unit_price, request.unit) == (0.0000002, "request")
    assert monthly(request, 1_000_000) == Decimal("0.2000000")
    expected = {"STANDARD": 0.023, "INTELLIGENT_TIERING": 0.023, "STANDARD_IA": 0.0125, "ONEZONE_IA": 0.01,
                "GLACIER_IR": 0.004, "GLACIER": 0.0036, "DEEP_ARCHIVE": 0.00099}
    assert {c: book.s3_gb_month("us-east-1", c).unit_price for c in expected} == expected
    assert book.s3_gb_month("eu-central-1", "STANDARD").unit_price == 0.0245
    ipv4 = book.eip_hourly("us-east-1")
    assert monthly(ipv4) == Decimal("3.650") and ipv4.source == (
        "price book 2026-05-11 (AWS public IPv4 address price): us-east-1 public IPv4 address")
    assert book.eip_hourly("us-east-1", "in-use").unit_price == 0.005
    assert monthly(book.nat_hourly("us-east-1")) == Decimal("32.850")
    assert book.nat_gb("us-east-1").unit_price == 0.045
    assert book.nat_hourly("eu-west-1").unit_price == 0.048


def test_every_category_names_its_sources() -> None:
    for name in ("services.json", "rds.json"):
        data = json.loads((ROOT / "tools" / "pricing" / "price_data" / name).read_text())
        assert data["sources"]
        for category, named in data["sources"].items():
            assert named["name"] and date.fromisoformat(named["date"]), category
            assert "confirmed" in named and "unconfirmed" in named, category


def test_specs_and_families(book: PriceBook) -> None:
    assert book.instance_specs("m5.large") == InstanceSpec(vcpus=2, memory_gib=8, family="m5", size="large",
                                                           generation="current")
    assert book.instance_specs("c4.8xlarge").vcpus == 36
    assert book.instance_specs("t2.micro").generation == "previous"
    assert book.instance_specs("cr1.8xlarge") == InstanceSpec(vcpus=32, memory_gib=244, family="cr1", size="8xlarge",
                                                              generation="current")
    assert book.family_types("m5") == ["m5.large", "m5.xlarge", "m5.2xlarge", "m5.4xlarge", "m5.8xlarge",
                                       "m5.12xlarge", "m5.16xlarge", "m5.24xlarge", "m5.metal"]
    assert book.family_types("t3")[:3] == ["t3.nano", "t3.micro", "t3.small"]
    assert size_rank("medium") < size_rank("large") < size_rank("xlarge") < size_rank("2xlarge") < size_rank("10xlarge")


def test_current_generation(book: PriceBook) -> None:
    assert book.current_generation("m4.xlarge") == "m5.xlarge"
    assert book.current_generation("t2.micro") == "t3.micro"
    assert book.current_generation("c4.2xlarge") == "c5.2xlarge"
    assert book.current_generation("r3.large") == "r5.large"
    assert book.current_generation("c4.8xlarge") is None  # c5 has no 8xlarge
    assert book.current_generation("m5.large") is None


def test_unknown_keys_raise(book: PriceBook) -> None:
    with pytest.raises(PriceNotFound, match="'m99.large'") as caught:
        book.ec2_hourly("us-east-1", "m99.large")
    assert isinstance(caught.value, KeyError)
    with pytest.raises(PriceNotFound, match="'mars-1'"):
        book.ec2_hourly("mars-1", "m5.large")
    with pytest.raises(PriceNotFound, match="'mars-1'"):
        book.ebs_gb_month("mars-1", "gp3")
    with pytest.raises(PriceNotFound, match="'gp9'"):
        book.ebs_gb_month("us-east-1", "gp9")
    with pytest.raises(PriceNotFound, match="'db.z9.large'"):
        book.rds_hourly("us-east-1", "db.z9.large", "mysql", False)
    with pytest.raises(PriceNotFound, match="'m99'"):
        book.family_types("m99")
    with pytest.raises(PriceNotFound, match="'parked'"):
        book.eip_hourly("us-east-1", "parked")


def test_every_shipped_type_is_complete(book: PriceBook) -> None:
    required = {"t2", "t3", "t3a", "t4g", "m4", "m5", "m5a", "m6i", "m6a", "m6g", "m7i", "m7g", "m8g", "c4", "c5",
                "c5a", "c6i", "c6g", "c7i", "c7g", "c8g", "r4", "r5", "r5a", "r6i", "r6g", "r7i", "r7g", "r8g", "i3",
                "i4i", "x2idn", "m3", "c3", "r3", "g5", "g6", "p5", "inf2", "trn1"}
    assert required <= set(book.families())
    assert len(book.instance_types()) == 1367 and len(book.families()) == 181
    for instance_type in book.instance_types():
        spec = book.instance_specs(instance_type)
        assert spec.vcpus > 0 and spec.memory_gib > 0
        assert book.ec2_hourly("us-east-1", instance_type).unit_price > 0


def test_previous_generation_targets_exist(book: PriceBook) -> None:
    mapping = book.previous_generation_map()
    assert mapping == {"t2": "t3", "m4": "m5", "m3": "m5", "c4": "c5", "c3": "c5", "r4": "r5", "r3": "r5",
                       "i2": "i3", "d2": "d3"}
    for old, new in mapping.items():
        assert book.family_types(old) and book.family_types(new)


def test_specs_match_ec2_describe_instance_types(book: PriceBook) -> None:
    """vCPUs and memory agree with EC2's own DescribeInstanceTypes data (moto ships it) for every type it has."""
    data = json.loads(gzip.decompress((Path(moto.__file__).parent / "ec2/resources/instance_types.json.gz")
                                      .read_bytes()))
    reported = {t: (data[t]["VCpuInfo"]["DefaultVCpus"], data[t]["MemoryInfo"]["SizeInMiB"] / 1024)
                for t in book.instance_types() if t in data}
    assert len(reported) == 1340  # the other 27 are older types, specs from the saved extracts
    mismatched = {t: v for t, v in reported.items()
                  if v != (book.instance_specs(t).vcpus, book.instance_specs(t).memory_gib)}
    assert mismatched == {}


def test_the_packaged_ec2_json_is_what_the_generator_makes() -> None:
    path = ROOT / "scripts" / "price_book" / "gen_ec2_from_karpenter.py"
    spec = importlib.util.spec_from_file_location("gen_ec2_from_karpenter", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built, skipped = module.build()
    assert skipped == []
    assert module.render(built) == (ROOT / "tools" / "pricing" / "price_data" / "ec2.json").read_text()
