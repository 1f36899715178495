# Writes a C++ source that holds every migration file as a string, in file-name order.
# Invoked as: cmake -DOUT=file.cpp -DFUNC=sqlite_migrations -DFILES="a.sql|b.sql" -P embed_sql.cmake
string(REPLACE "|" ";" FILES "${FILES}")
set(body "// Generated from sql/*/V*.sql by cmake/embed_sql.cmake. Do not edit.\n")
string(APPEND body "#include \"store/migrations.h\"\n\nnamespace im::store {\n")
string(APPEND body "const std::vector<Migration>& ${FUNC}() {\n")
string(APPEND body "  static const std::vector<Migration> all = {\n")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME_WE)
  file(READ ${f} sql)
  # V001__initial_schema -> version 1, description "initial schema"
  string(REGEX MATCH "^V([0-9]+)__(.*)$" _ ${name})
  math(EXPR version "${CMAKE_MATCH_1} + 0")
  string(REPLACE "_" " " desc "${CMAKE_MATCH_2}")
  string(APPEND body "    {${version}, \"${desc}\", R\"im_sql(${sql})im_sql\"},\n")
endforeach()
string(APPEND body "  };\n  return all;\n}\n}  // namespace im::store\n")
file(WRITE ${OUT} "${body}")
