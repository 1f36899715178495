#include "collect/source.h"

namespace im::collect {

void merge_instance(Instance& into, const Instance& from) {
  for (auto [mine, theirs] :
       {std::pair{&into.instance_class, &from.instance_class},
        std::pair{&into.engine, &from.engine}, std::pair{&into.region, &from.region}})
    if (mine->empty()) *mine = *theirs;
  if ((into.name.empty() || into.name == into.id) && !from.name.empty()) into.name = from.name;
  if (into.allocated_storage_gb <= 0) into.allocated_storage_gb = from.allocated_storage_gb;
  if (into.max_memory_bytes <= 0) into.max_memory_bytes = from.max_memory_bytes;
  for (const auto& [k, v] : from.tags) into.tags.emplace(k, v);
}

}  // namespace im::collect
