#!/usr/bin/env python3
"""Seeds the moto server for the AWS tests, with boto3.

  seed_moto.py URL REGION inventory N_RDS N_EC2_RESERVATIONS
      (plus an Aurora cluster "aurora-orders" with a writer and a reader, and ElastiCache:
      Redis clusters "sessions-001" and "sessions-002" and a memcached cluster)
  seed_moto.py URL REGION others DAY_START_UNIX
      (metrics of a DocumentDB instance, an MSK cluster's brokers 1 and 2 and an EKS cluster
      (Container Insights), each a datapoint every 30 minutes of one day, and finer-grained
      series (a topic, a node) that must not become instances; moto's RDS refuses the docdb
      engine, so there is no DescribeDBInstances side)
  seed_moto.py URL REGION delete-rds DB_INSTANCE_IDENTIFIER
  seed_moto.py URL REGION metrics DAY_START_UNIX N_INSTANCES EVERY_N_SLOTS
      (datapoints of the 14 AWS/RDS metrics for rds-seed-000.. over one day, on every Nth
      5-minute slot: moto scans every datapoint for each query, so keep them few; the value
      formula is repeated in tests/pipeline/aws_inventory_test.cpp)
"""
import datetime
import sys

import boto3


def client(service, url, region):
    return boto3.client(service, endpoint_url=url, region_name=region,
                        aws_access_key_id="seed", aws_secret_access_key="seed")


RDS_METRICS = sorted([
    "CPUUtilization", "DatabaseConnections", "FreeableMemory", "FreeStorageSpace", "ReadIOPS",
    "WriteIOPS", "ReadLatency", "WriteLatency", "ReadThroughput", "WriteThroughput",
    "NetworkReceiveThroughput", "NetworkTransmitThroughput", "DiskQueueDepth", "SwapUsage"])


def value(instance, metric_index, slot):
    return 10 + instance * 3 + metric_index + (slot % 17) * 0.5


def main():
    url, region, command = sys.argv[1:4]
    if command == "inventory":
        n_rds, n_res = int(sys.argv[4]), int(sys.argv[5])
        rds = client("rds", url, region)
        for i in range(n_rds):
            rds.create_db_instance(
                DBInstanceIdentifier=f"rds-seed-{i:03d}", DBInstanceClass="db.r6g.large",
                Engine="postgres", AllocatedStorage=100 + i, MasterUsername="admin",
                MasterUserPassword="password1", Tags=[{"Key": "Name", "Value": f"orders-{i:03d}"}])
        rds.create_db_cluster(DBClusterIdentifier="aurora-orders", Engine="aurora-postgresql",
                              MasterUsername="admin", MasterUserPassword="password1")
        for i in range(2):
            rds.create_db_instance(DBInstanceIdentifier=f"aurora-orders-{i}",
                                   DBInstanceClass="db.r6g.large", Engine="aurora-postgresql",
                                   DBClusterIdentifier="aurora-orders")
        cache = client("elasticache", url, region)
        for name in ("sessions-001", "sessions-002"):
            cache.create_cache_cluster(CacheClusterId=name, Engine="redis",
                                       CacheNodeType="cache.r6g.large", NumCacheNodes=1)
        cache.create_cache_cluster(CacheClusterId="pages-memcached", Engine="memcached",
                                   CacheNodeType="cache.t3.micro", NumCacheNodes=2)
        ec2 = client("ec2", url, region)
        image = ec2.describe_images()["Images"][0]["ImageId"]
        for r in range(n_res):
            ec2.run_instances(ImageId=image, MinCount=2, MaxCount=2, InstanceType="m6i.large",
                              TagSpecifications=[{"ResourceType": "instance",
                                                  "Tags": [{"Key": "Name", "Value": f"web-{r}"}]}])
    elif command == "metrics":
        start, n, every = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
        cw = boto3.client("cloudwatch", endpoint_url=url, region_name=region,
                          aws_access_key_id="seed", aws_secret_access_key="seed",
                          config=boto3.session.Config(disable_request_compression=True))
        for i in range(n):
            for m, metric in enumerate(RDS_METRICS):
                data = [{"MetricName": metric,
                         "Dimensions": [{"Name": "DBInstanceIdentifier",
                                         "Value": f"rds-seed-{i:03d}"}],
                         "Timestamp": datetime.datetime.fromtimestamp(
                             start + slot * 300, tz=datetime.timezone.utc),
                         "Value": value(i, m, slot)} for slot in range(0, 288, every)]
                cw.put_metric_data(Namespace="AWS/RDS", MetricData=data)
    elif command == "others":
        start = int(sys.argv[4])
        cw = boto3.client("cloudwatch", endpoint_url=url, region_name=region,
                          aws_access_key_id="seed", aws_secret_access_key="seed",
                          config=boto3.session.Config(disable_request_compression=True))

        def put(namespace, metric, dims, base):
            cw.put_metric_data(Namespace=namespace, MetricData=[{
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
                "Timestamp": datetime.datetime.fromtimestamp(start + slot * 300,
                                                             tz=datetime.timezone.utc),
                "Value": value(base, 0, slot)} for slot in range(0, 288, 6)])

        put("AWS/DocDB", "CPUUtilization", [("DBInstanceIdentifier", "docdb-orders-0")], 1)
        for broker in ("1", "2"):
            dims = [("Cluster Name", "orders-kafka"), ("Broker ID", broker)]
            put("AWS/Kafka", "CpuUser", dims, 2 + int(broker))
            put("AWS/Kafka", "KafkaDataLogsDiskUsed", dims, 5 + int(broker))
        put("AWS/Kafka", "CpuUser", [("Cluster Name", "orders-kafka"), ("Broker ID", "1"),
                                     ("Topic", "orders")], 9)
        put("ContainerInsights", "cluster_node_count", [("ClusterName", "shop-eks")], 10)
        put("ContainerInsights", "node_cpu_utilization", [("ClusterName", "shop-eks")], 11)
        put("ContainerInsights", "cluster_node_count",
            [("ClusterName", "shop-eks"), ("InstanceId", "i-0abc"), ("NodeName", "n1")], 12)
    elif command == "delete-rds":
        client("rds", url, region).delete_db_instance(DBInstanceIdentifier=sys.argv[4],
                                                      SkipFinalSnapshot=True)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
