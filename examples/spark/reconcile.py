"""Refund rules on Spark: plan a refund for every payment of a (generated) table with
``mapInArrow`` and the ``refund-rules`` wheel, then check a sample against the CLI.

    python examples/spark/reconcile.py                       # 1,000,000 payments, local[2]
    python examples/spark/reconcile.py --payments 50000 --master local[4]
    python examples/spark/reconcile.py --cli target/release/refund-rules --sample 300

The rules run inside the Python workers, batch by batch: Spark hands each worker Arrow record
batches, ``refund_rules.arrow.run_stream`` plans every row in Rust (GIL released) and returns
Arrow batches; no Python object is made per row. The job then

* counts the results by provider and code, and totals the planned amounts exactly
  (``decimal(38,2)``, summed by Spark from the exact decimal strings);
* re-plans a sample of rows with the ``refund-rules`` CLI (``plan --ndjson``) and requires each
  envelope to equal the one computed on Spark (errors compared without ``details.line``, which
  only the stream adds).

The generated payments: half are synthetic SimplePS payments whose captured amount, prior
refund and requested amount vary with the payment id (partial and full refunds, and requests
over what remains, which the engine refuses with ``amount_exceeds_refundable``); the other
half cycle through the shared plan vectors of all five providers (``vectors/``), so every
provider's rules run. On a cluster, read your payments table instead (see README.md).
Exit status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, LongType, StringType, StructField, StructType

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = ("provider", "ledger", "request", "options", "now", "refund_id")
TEXT_MEMBERS = ("provider", "now", "refund_id")

# What the job keeps of each plan (the Arrow result has more: see refund_rules.arrow).
RESULT = StructType(
    [StructField("payment_id", LongType(), False), StructField("provider", StringType(), True)]
    + [StructField("ok", BooleanType(), False)]
    + [StructField(c, StringType(), True) for c in ("code", "kind", "amount", "remaining_after", "status_after")]
)
# For the sample checked against the CLI: the engine's whole envelope.
ENVELOPES = StructType([StructField("payment_id", LongType(), False), StructField("envelope", StringType(), False)])


def planner(schema: StructType, envelope: bool) -> Any:
    """The ``mapInArrow`` function: runs on the executors, one Arrow batch at a time."""
    names = [f.name for f in schema.fields]
    keep = [n for n in ("payment_id", "provider") if n in names]

    def plan_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import refund_rules.arrow as ra  # imported on the executor, from the shipped wheel

        for batch in batches:
            # threads=1: Spark already runs one task per core.
            result = ra.run_stream("plan", batch, keep=keep, envelope=envelope, threads=1)
            for out in pa.RecordBatchReader.from_stream(result):
                yield out.select(names)

    return plan_batches


def vector_rows() -> List[Dict[str, Any]]:
    """The shared plan vectors that map onto columns (one per provider at least)."""
    from refund_rules._wire import dumps

    rows = []
    for path in sorted((ROOT / "vectors").rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        for case in data["cases"]:
            doc = case.get("input")
            if case["operation"] != "plan" or "input_text" in case or not isinstance(doc, dict):
                continue
            if not set(doc) <= set(MEMBERS) or any(v is None for v in doc.values()):
                continue
            if any(k in TEXT_MEMBERS and not isinstance(v, str) for k, v in doc.items()):
                continue
            rows.append({k: (None if k not in doc else doc[k] if k in TEXT_MEMBERS else dumps(doc[k])) for k in MEMBERS})
    return rows


def payments(spark: SparkSession, n: int, partitions: int) -> DataFrame:
    """``n`` payments: even ids synthetic SimplePS, odd ids the shared vectors in turn."""
    ids = spark.range(0, n, numPartitions=partitions).withColumnRenamed("id", "payment_id")
    # Synthetic SimplePS: captured 10.00-9,999.99, a prior refund on a third of them, and a
    # request from 1.00 up to (sometimes past) what remains.
    cents = lambda c: F.format_string("%d.%02d", (c / 100).cast("long"), (c % 100).cast("int"))  # noqa: E731
    captured = (F.col("payment_id") * 7919 % 999000 + 1000).cast("long")
    refunded = F.when(F.col("payment_id") % 3 == 0, (captured / 4).cast("long")).otherwise(F.lit(0))
    requested = (F.col("payment_id") * 104729 % captured + 100).cast("long")
    refunds = F.when(
        refunded > 0,
        F.concat(F.lit('[{"id":"r_1","amount":"'), cents(refunded), F.lit('","state":"succeeded"}]')),
    ).otherwise(F.lit("[]"))
    ledger = F.concat(
        F.lit('{"id":"pay-'), F.col("payment_id").cast("string"), F.lit('","currency":"USD","authorized":"'),
        cents(captured), F.lit('","status":{"payment":"'),
        F.when(refunded > 0, F.lit("PARTIALLY_REFUNDED")).otherwise(F.lit("CAPTURED")),
        F.lit('"},"captures":[{"id":"cap_1","amount":"'), cents(captured),
        F.lit('","settled":true}],"refunds":'), refunds, F.lit(',"version":3}'),
    )  # fmt: skip
    request = F.concat(F.lit('{"amount":{"total":'), cents(requested), F.lit(',"currency":"USD"}}'))
    synthetic = ids.where(F.col("payment_id") % 2 == 0).select(
        "payment_id",
        F.lit("simpleps").alias("provider"),
        ledger.alias("ledger"),
        F.when(F.col("payment_id") % 10 == 0, F.lit(None)).otherwise(request).alias("request"),
        F.lit(None).cast("string").alias("options"),
        F.lit("2026-11-29T12:00:00Z").alias("now"),
        F.lit(None).cast("string").alias("refund_id"),
    )
    templates = vector_rows()
    schema = StructType([StructField("template", LongType(), False)] + [StructField(m, StringType(), True) for m in MEMBERS])
    tdf = spark.createDataFrame([(i, *(t[m] for m in MEMBERS)) for i, t in enumerate(templates)], schema)
    cycled = (
        ids.where(F.col("payment_id") % 2 == 1)
        .withColumn("template", (F.col("payment_id") / 2).cast("long") % len(templates))
        .join(F.broadcast(tdf), "template")
        .select("payment_id", *MEMBERS)
    )
    return synthetic.unionByName(cycled)


def document(row: Dict[str, Any]) -> str:
    """The plan document of a row, written as refund_rules.arrow writes it."""
    parts = []
    for m in MEMBERS:
        v = row.get(m)
        if v is not None:
            parts.append(json.dumps(m) + ":" + (json.dumps(v, ensure_ascii=False) if m in TEXT_MEMBERS else v))
    return "{" + ",".join(parts) + "}"


def without_line(envelope: Dict[str, Any]) -> Dict[str, Any]:
    if not envelope.get("ok"):
        envelope["error"]["details"].pop("line", None)
    return envelope


def check_against_cli(sample: List[Dict[str, Any]], cli: str) -> int:
    """Plans the sample's documents with ``refund-rules plan --ndjson``; returns mismatches."""
    with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False, encoding="utf-8") as f:
        for row in sample:
            f.write(document(row) + "\n")
        path = f.name
    try:
        out = subprocess.run([cli, "plan", "--ndjson", path], capture_output=True, text=True, check=False)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        print(f"CLI failed ({out.returncode}): {out.stderr}", file=sys.stderr)
        return len(sample)
    lines = out.stdout.splitlines()
    if len(lines) != len(sample):
        print(f"CLI answered {len(lines)} lines for {len(sample)} documents", file=sys.stderr)
        return len(sample)
    bad = 0
    for row, line in zip(sample, lines):
        spark_env, cli_env = json.loads(row["envelope"]), json.loads(line)
        same = row["envelope"] == line if spark_env.get("ok") else without_line(spark_env) == without_line(cli_env)
        if not same:
            bad += 1
            if bad <= 3:
                print(f"MISMATCH payment {row['payment_id']}:\n  spark {row['envelope'][:300]}\n  cli   {line[:300]}", file=sys.stderr)
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--payments", type=int, default=1_000_000)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--sample", type=int, default=500, help="rows re-planned with the CLI")
    ap.add_argument("--cli", default=str(ROOT / "target" / "release" / "refund-rules"))
    args = ap.parse_args()

    t0 = time.time()
    spark = (
        SparkSession.builder.master(args.master)
        .appName("refund-rules-reconcile")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "2g"))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        inputs = payments(spark, args.payments, args.partitions)
        plans = inputs.mapInArrow(planner(RESULT, envelope=False), RESULT)
        by_code = (
            plans.groupBy("provider", "ok", "code")
            .agg(F.count("*").alias("rows"), F.sum(F.col("amount").cast("decimal(38,2)")).alias("planned"))
            .orderBy("provider", F.desc("ok"), "code")
            .collect()
        )
        total = sum(r["rows"] for r in by_code)
        t_plan = time.time() - t0
        print(f"planned {total:,} payments in {t_plan:.1f}s ({args.master}, {args.partitions} partitions)")
        print(f"  {'provider':<22} {'result':<32} {'rows':>9}  planned total")
        for r in by_code:
            print(f"  {r['provider']:<22} {'ok' if r['ok'] else r['code']:<32} {r['rows']:>9,}  {r['planned'] or ''}")
        failures = []
        if total != args.payments:
            failures.append(f"{total} results for {args.payments} payments")
        five = {"simpleps", "fiserv_commerce_hub", "alternative_payments", "digital_river", "commerce_layer"}
        if not five <= {r["provider"] for r in by_code if r["ok"]}:
            failures.append("not every provider has decided plans")
        if not any(r["ok"] for r in by_code) or all(r["ok"] for r in by_code):
            failures.append("expected both decided and refused plans")

        # A sample spread over the whole id range, planned again with whole envelopes, then
        # re-planned by the CLI.
        step = max(1, args.payments // max(1, args.sample))
        picked = inputs.where(F.col("payment_id") % step == 0)
        sample = [
            r.asDict()
            for r in picked.mapInArrow(planner(ENVELOPES, envelope=True), ENVELOPES)
            .join(picked, "payment_id")
            .orderBy("payment_id")
            .limit(args.sample)
            .collect()
        ]
        if not Path(args.cli).is_file():
            failures.append(f"the CLI is not built at {args.cli} (cargo build --release -p refund-rules-cli)")
        else:
            bad = check_against_cli(sample, args.cli)
            print(f"checked {len(sample)} sampled rows against {args.cli}: {len(sample) - bad} equal, {bad} differ")
            if bad or len(sample) < min(args.sample, args.payments) // 2:
                failures.append(f"{bad} of {len(sample)} sampled rows differ from the CLI")
        print(f"total {time.time() - t0:.1f}s")
        for f in failures:
            print(f"FAILED: {f}", file=sys.stderr)
        return 1 if failures else 0
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
