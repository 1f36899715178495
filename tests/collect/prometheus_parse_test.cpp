// The Prometheus answer parser on hostile answers (issue #13, item 19): one bad series is
// refused alone, named with its labels; the rest of the answer is kept.
#include <gtest/gtest.h>

#include <cmath>

#include "collect/prometheus/client.h"

namespace im::collect::prometheus {
namespace {

std::string matrix(const std::string& series) {
  return R"({"status":"success","data":{"resultType":"matrix","result":[)" + series + "]}}";
}
const std::string kGood = R"({"metric":{"instance":"redis-ok"},"values":[[1,"1.5"],[2,"+Inf"]]})";

TEST(PrometheusParse, ANonUtf8LabelCostsOnlyItsSeries) {
  const std::string bad = "{\"metric\":{\"instance\":\"redis-\xff\"},\"values\":[[1,\"2\"]]}";
  const QueryResult r = parse_query_response(matrix(kGood + "," + bad), "q");
  ASSERT_EQ(r.matrix.size(), 2u);  // kept, its label marked: the inventory refuses that id
  EXPECT_EQ(r.matrix[0].labels.at("instance"), "redis-ok");
  EXPECT_EQ(r.matrix[1].labels.at("instance"), "redis-\xef\xbf\xbd");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "1 byte(s) of the answer are not UTF-8 (read as U+FFFD)");
  EXPECT_TRUE(std::isinf(r.matrix[0].values[1]));  // +Inf is read; the transform drops it
}

TEST(PrometheusParse, ASeriesOfTheWrongShapeIsRefusedAloneWithItsLabels) {
  const std::string number_value = R"({"metric":{"instance":"redis-num"},"values":[[1,5]]})";
  const std::string number_label = R"({"metric":{"instance":7},"values":[[1,"5"]]})";
  const std::string bad_text = R"({"metric":{"instance":"redis-abc"},"values":[[1,"abc"]]})";
  const std::string no_pair = R"({"metric":{"instance":"redis-pair"},"values":[[1]]})";
  const QueryResult r = parse_query_response(
      matrix(number_value + "," + kGood + "," + number_label + "," + bad_text + "," + no_pair),
      "q");
  ASSERT_EQ(r.matrix.size(), 1u);
  EXPECT_EQ(r.matrix[0].labels.at("instance"), "redis-ok");
  ASSERT_EQ(r.rejected.size(), 4u);
  EXPECT_EQ(r.rejected[0], "{instance=\"redis-num\"}: a sample value is not a string: 5");
  EXPECT_EQ(r.rejected[1], "{instance=7}: label instance is not a string");
  EXPECT_EQ(r.rejected[2], "{instance=\"redis-abc\"}: bad sample value 'abc'");
  EXPECT_EQ(r.rejected[3], "{instance=\"redis-pair\"}: a sample is not [time, \"value\"]");
}

TEST(PrometheusParse, ControlCharactersInRefusedLabelsAreEscaped) {
  const std::string forged =
      R"({"metric":{"instance":"a\nINFO fake line\u001b[2J"},"values":[[1,"x"]]})";
  const QueryResult r = parse_query_response(matrix(forged), "q");
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].find('\n'), std::string::npos) << r.rejected[0];
  EXPECT_NE(r.rejected[0].find("a\\nINFO fake line\\x1b[2J"), std::string::npos) << r.rejected[0];
}

TEST(PrometheusParse, AnAnswerCutShortIsRefusedWholeEvenAfterGoodSeries) {
  const std::string whole = matrix(kGood + "," + kGood);
  for (size_t cut : {whole.size() - 1, whole.size() - 3, whole.find("},{") + 2, whole.size() / 2}) {
    SCOPED_TRACE(whole.substr(0, cut));
    try {
      parse_query_response(whole.substr(0, cut), "q");
      ADD_FAILURE() << "a cut answer was read";
    } catch (const SourceError& e) {
      EXPECT_NE(std::string(e.what()).find("q: the answer is not JSON"), std::string::npos)
          << e.what();
    }
  }
}

TEST(PrometheusParse, TextAfterTheAnswerIsRefused) {
  EXPECT_THROW(parse_query_response(matrix(kGood) + " {}", "q"), SourceError);
  EXPECT_THROW(parse_query_response(matrix(kGood) + "]", "q"), SourceError);
  EXPECT_NO_THROW(parse_query_response(matrix(kGood) + " \n", "q"));
}

TEST(PrometheusParse, MembersInAnyOrderAndWarningsAreRead) {
  const std::string body =
      R"({"warnings":["w1"],"data":{"result":[{"values":[[1.5,"2"]],"metric":{"a":"b"}}],)"
      R"("resultType":"matrix"},"status":"success"})";
  const QueryResult r = parse_query_response(body, "q");
  ASSERT_EQ(r.matrix.size(), 1u);
  EXPECT_EQ(r.matrix[0].labels.at("a"), "b");
  EXPECT_EQ(r.matrix[0].times, (std::vector<double>{1.5}));
  EXPECT_EQ(r.matrix[0].values, (std::vector<double>{2}));
  EXPECT_EQ(r.warnings, (std::vector<std::string>{"w1"}));
}

}  // namespace
}  // namespace im::collect::prometheus
