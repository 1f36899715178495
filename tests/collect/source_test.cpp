#include <gtest/gtest.h>

#include "collect/aws/services.h"
#include "collect/source.h"

namespace im::collect {
namespace {

TEST(MergeInstance, TheFirstSourceKeepsItsValuesAndGainsWhatItLacks) {
  Instance prom;  // a Prometheus target
  prom.service = ServiceType::REDIS;
  prom.id = prom.name = "sessions-001.abc.use1.cache.amazonaws.com:6379";
  prom.max_memory_bytes = 1 << 30;
  prom.source = "prometheus";
  prom.tags = {{"job", "redis"}};
  Instance aws = prom;  // the same node from ElastiCache
  aws.name = "sessions-001";
  aws.instance_class = "cache.r6g.large";
  aws.engine = "redis 7.1";
  aws.region = "us-east-1";
  aws.max_memory_bytes = 0;
  aws.source = "aws";
  aws.tags = {{"job", "other"}, {"cluster", "sessions-001"}};
  merge_instance(prom, aws);
  EXPECT_EQ(prom.source, "prometheus");
  EXPECT_EQ(prom.name, "sessions-001");
  EXPECT_EQ(prom.instance_class, "cache.r6g.large");
  EXPECT_EQ(prom.engine, "redis 7.1");
  EXPECT_EQ(prom.region, "us-east-1");
  EXPECT_EQ(prom.max_memory_bytes, 1 << 30);
  EXPECT_EQ(prom.tags.at("job"), "redis");
  EXPECT_EQ(prom.tags.at("cluster"), "sessions-001");
}

TEST(CloudWatchServices, InstanceIdsJoinTheDimensionValues) {
  const auto* msk = aws::cloudwatch_service(ServiceType::MSK);
  ASSERT_NE(msk, nullptr);
  EXPECT_EQ(aws::dimension_values(*msk, "orders-kafka/2"),
            (std::vector<std::string>{"orders-kafka", "2"}));
  EXPECT_TRUE(aws::dimension_values(*msk, "orders-kafka").empty());
  const auto* rds = aws::cloudwatch_service(ServiceType::RDS);
  ASSERT_NE(rds, nullptr);
  EXPECT_EQ(aws::dimension_values(*rds, "db/with/slash"),
            (std::vector<std::string>{"db/with/slash"}));
  EXPECT_EQ(aws::cloudwatch_service(ServiceType::REDIS), nullptr);
  // Every CloudWatch catalog metric belongs to a service CloudWatch serves.
  for (ServiceType s : kAllServiceTypes) {
    if (s != ServiceType::REDIS) {
      EXPECT_NE(aws::cloudwatch_service(s), nullptr) << to_string(s);
    }
  }
}

}  // namespace
}  // namespace im::collect
