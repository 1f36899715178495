// The AWS SDKs' default credential chain: environment variables, the shared credentials and
// config files (AWS_PROFILE), web identity (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, through
// STS AssumeRoleWithWebIdentity, as on EKS), then the EC2 instance metadata service (IMDSv2).
#include <curl/curl.h>

#include <ctime>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "collect/aws/client.h"
#include "collect/curl_util.h"
#include "core/day.h"
#include "core/types.h"

namespace im::collect::aws {

namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// INI sections of an AWS shared file: section name -> key -> value.
std::map<std::string, std::map<std::string, std::string>> read_ini(const std::string& path) {
  std::map<std::string, std::map<std::string, std::string>> out;
  std::ifstream in(path);
  std::string line, section;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = trim(line.substr(1, line.size() - 2));
      continue;
    }
    auto eq = line.find('=');
    if (eq != std::string::npos) out[section][trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return out;
}

std::string home(const Environment& env) {
  return env_value(env, "HOME", "/root");
}

// Expiration "2026-11-29T20:00:00Z" -> Unix seconds (0 when unreadable: treat as expired soon).
int64_t parse_expiration(const std::string& text) {
  if (text.size() < 19) return 0;
  auto t = parse_utc_timestamp(text.substr(0, 10) + " " + text.substr(11, 8));
  return t ? *t : 0;
}

struct Timed {
  Credentials creds;
  int64_t expires = 0;  // 0: never
};

// One HTTP request to the metadata service; "" on any failure.
std::string imds_request(const std::string& url, const char* method,
                         const std::vector<std::string>& headers) {
  curl_init_once();
  CURL* c = curl_easy_init();
  if (!c) return "";
  std::string body;
  curl_slist* h = nullptr;
  for (const auto& s : headers) h = curl_slist_append(h, s.c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L);  // off EC2 nothing answers: fail fast
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  return rc == CURLE_OK && status == 200 ? body : "";
}

class Chain final : public CredentialsProvider {
 public:
  explicit Chain(AwsOptions opts) : opts_(std::move(opts)) {}

  Credentials get() override {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    if (have_ && (cached_.expires == 0 || cached_.expires - 300 > now)) return cached_.creds;
    std::vector<std::string> tried;
    using Source = std::optional<Timed> (Chain::*)(std::vector<std::string>&);
    for (Source fn : {&Chain::from_environment, &Chain::from_profile, &Chain::from_web_identity,
                      &Chain::from_imds}) {
      if (auto t = (this->*fn)(tried)) {
        cached_ = *t;
        have_ = true;
        return cached_.creds;
      }
    }
    std::string list;
    for (const auto& t : tried) list += (list.empty() ? "" : "; ") + t;
    throw SourceError("no AWS credentials found (" + list + ")");
  }
  std::string source() const override { return source_; }

 private:
  std::optional<Timed> from_environment(std::vector<std::string>& tried) {
    const auto& env = opts_.environment;
    std::string id = env_value(env, "AWS_ACCESS_KEY_ID"),
                secret = env_value(env, "AWS_SECRET_ACCESS_KEY");
    if (id.empty() || secret.empty()) {
      tried.push_back("environment: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY not set");
      return std::nullopt;
    }
    source_ = "environment";
    return Timed{{id, secret, env_value(env, "AWS_SESSION_TOKEN")}, 0};
  }

  std::optional<Timed> from_profile(std::vector<std::string>& tried) {
    const auto& env = opts_.environment;
    const std::string profile =
        env_value(env, "AWS_PROFILE", env_value(env, "AWS_DEFAULT_PROFILE", "default"));
    const std::string cred_file =
        env_value(env, "AWS_SHARED_CREDENTIALS_FILE", home(env) + "/.aws/credentials");
    const std::string config_file = env_value(env, "AWS_CONFIG_FILE", home(env) + "/.aws/config");
    for (const auto& [file, section] :
         {std::pair{cred_file, profile},
          std::pair{config_file, profile == "default" ? profile : "profile " + profile}}) {
      auto ini = read_ini(file);
      auto it = ini.find(section);
      if (it == ini.end()) continue;
      const auto& kv = it->second;
      auto id = kv.find("aws_access_key_id"), secret = kv.find("aws_secret_access_key");
      if (id == kv.end() || secret == kv.end()) continue;
      auto token = kv.find("aws_session_token");
      source_ = "profile " + profile + " (" + file + ")";
      return Timed{{id->second, secret->second, token == kv.end() ? "" : token->second}, 0};
    }
    tried.push_back("profile " + profile + ": no keys in " + cred_file + " or " + config_file);
    return std::nullopt;
  }

  std::optional<Timed> from_web_identity(std::vector<std::string>& tried) {
    const auto& env = opts_.environment;
    const std::string role = env_value(env, "AWS_ROLE_ARN"),
                      token_file = env_value(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
    if (role.empty() || token_file.empty()) {
      tried.push_back("web identity: AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE not set");
      return std::nullopt;
    }
    std::ifstream in(token_file);
    std::stringstream token;
    token << in.rdbuf();
    if (!in)
      throw SourceError("web identity: cannot read AWS_WEB_IDENTITY_TOKEN_FILE " + token_file);
    // AssumeRoleWithWebIdentity is not signed: the token is the proof.
    QueryClient sts("sts", "STS", "2011-06-15", opts_, nullptr);
    auto doc =
        sts.call("AssumeRoleWithWebIdentity",
                 {{"RoleArn", role},
                  {"RoleSessionName", env_value(env, "AWS_ROLE_SESSION_NAME", "infra-monitor")},
                  {"WebIdentityToken", trim(token.str())}});
    auto c = doc.select_node("//Credentials").node();
    Timed t{{c.child_value("AccessKeyId"), c.child_value("SecretAccessKey"),
             c.child_value("SessionToken")},
            parse_expiration(c.child_value("Expiration"))};
    if (t.creds.access_key_id.empty())
      throw SourceError("web identity: STS answered without credentials for " + role);
    source_ = "web identity (" + role + ")";
    return t;
  }

  std::optional<Timed> from_imds(std::vector<std::string>& tried) {
    const auto& env = opts_.environment;
    if (env_value(env, "AWS_EC2_METADATA_DISABLED") == "true") {
      tried.push_back("instance metadata: AWS_EC2_METADATA_DISABLED");
      return std::nullopt;
    }
    std::string base =
        env_value(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254");
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string token = imds_request(base + "/latest/api/token", "PUT",
                                           {"X-aws-ec2-metadata-token-ttl-seconds: 21600"});
    if (token.empty()) {
      tried.push_back("instance metadata (IMDSv2) at " + base + ": no answer");
      return std::nullopt;
    }
    const std::string hdr = "X-aws-ec2-metadata-token: " + token;
    const std::string role =
        trim(imds_request(base + "/latest/meta-data/iam/security-credentials/", "GET", {hdr}));
    const std::string doc =
        role.empty() ? ""
                     : imds_request(base + "/latest/meta-data/iam/security-credentials/" + role,
                                    "GET", {hdr});
    auto j = nlohmann::json::parse(doc, nullptr, false);
    if (role.empty() || !j.is_object() || !j.contains("AccessKeyId")) {
      tried.push_back("instance metadata: no IAM role attached");
      return std::nullopt;
    }
    source_ = "instance metadata (role " + role + ")";
    return Timed{{j.value("AccessKeyId", ""), j.value("SecretAccessKey", ""), j.value("Token", "")},
                 parse_expiration(j.value("Expiration", ""))};
  }

  AwsOptions opts_;
  std::mutex mu_;
  Timed cached_;
  bool have_ = false;
  std::string source_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> default_credentials_chain(const AwsOptions& opts) {
  return std::make_unique<Chain>(opts);
}

}  // namespace im::collect::aws
