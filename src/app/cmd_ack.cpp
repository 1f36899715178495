// `ack`: acknowledge alerts (guide section 6.3).
#include <CLI/CLI.hpp>
#include <iostream>
#include <limits>

#include "app/app.h"
#include "app/command.h"
#include "core/text_safety.h"

namespace im::app {

namespace {

class AckCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    sub = app.add_subcommand("ack", "acknowledge alerts (guide section 6.3)");
    sub->add_option("--id", id_, "one alert by id");
    sub->add_option("--instance", instance_, "every open alert of an instance");
    sub->add_option("--severity", severity_, "only alerts of this severity")
        ->check(CLI::IsMember({"EMERGENCY", "CRITICAL", "WARNING", "INFO"}, CLI::ignore_case));
    sub->add_option("--older-than", older_, "only alerts dated more than N days ago, e.g. 7d");
    sub->add_option("--by", by_, "who acknowledges (recorded in acknowledged_by)")->required();
    sub->add_option("--note", note_, "text for the alert's notes");
  }

  int run(Runtime& rt) override {
    const store::AckFilter f = filter(rt.today());
    rt.load();
    rt.start_logging();
    auto db = rt.open(store::OpenMode::READ_WRITE);
    size_t n = 0;
    {
      store::Transaction tx(*db.store);
      n = db.store->acknowledge_alerts(f, by_, note_);
      tx.commit();
    }
    std::cout << "acknowledged " << n << " alert(s) as " << by_ << "\n";
    if (n == 0 && f.id) {
      std::cout << "no unacknowledged alert has id " << *f.id << "\n";
      return kExitFailed;
    }
    return kExitOk;
  }

 private:
  // The flags as a filter; UsageError on a bad or missing one.
  store::AckFilter filter(Day today) const {
    store::AckFilter f;
    if (sub->get_option("--id")->count())
      f.id = parse_whole("--id", id_, 1, std::numeric_limits<int64_t>::max());
    if (sub->get_option("--instance")->count()) {
      if (instance_.empty()) throw UsageError("--instance: expected an instance id, got \"\"");
      f.instance_id = instance_;
    }
    if (!severity_.empty()) f.severity = parse_severity(severity_);  // CLI11 checked it
    if (sub->get_option("--older-than")->count()) {
      // Back to 1970 at most: a bigger number wrapped around and matched every alert.
      const int64_t max_days = today - kFirstDay;
      f.before =
          today - static_cast<int32_t>(parse_whole("--older-than", older_, 0, max_days, "d"));
    }
    if (by_.find_first_not_of(" \t") == std::string::npos)
      throw UsageError("--by \"" + escape_control(by_) +
                       "\": say who acknowledges (recorded in acknowledged_by)");
    if (!f.id && !f.instance_id && !f.severity && !f.before)
      throw UsageError("ack: say which alerts: --id, --instance, --severity and/or --older-than");
    return f;
  }

  std::string id_, instance_, severity_, older_, by_, note_;
};

}  // namespace

std::unique_ptr<Command> ack_command() {
  return std::make_unique<AckCommand>();
}

}  // namespace im::app
