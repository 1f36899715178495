// Text that leaves the program (log lines, error messages, the step log, stdout) may carry
// what must not be shown: passwords in URLs, configured secrets, control characters from
// hostile labels. These helpers make such text safe to print.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace im {

// Every "scheme://user:password@" in `text` becomes "scheme://user:***@" (the user stays,
// which helps tell credentials apart; a user without a password is left as it is).
std::string mask_url_credentials(std::string text);

// Secrets shorter than this are masked only where they stand as a whole word: masking every
// occurrence of a one-letter password would mangle every line ("st***p").
inline constexpr size_t kMinSubstringSecret = 6;

// Replaces each secret by "***": a secret of kMinSubstringSecret characters or more
// wherever it occurs, a shorter one only where neither neighbour is a letter or digit.
// URL credentials are masked too.
std::string redact(std::string text, const std::vector<std::string>& secrets);

// Control characters (newline, carriage return, ESC of ANSI/OSC sequences, NUL, DEL...) as
// visible escapes: "\n", "\r", "\t", "\x1b". A log line stays one line and cannot be forged.
std::string escape_control(std::string_view text);

// The start of a text for an error message, on one line: control characters become spaces,
// runs of spaces (an HTML page's indentation, a statement's layout) one space, "..." marks a cut.
std::string answer_excerpt(std::string_view body, size_t max_chars = 120);

// ---- identifiers from sources (instance ids, names) ----------------------------------------

// The longest identifier both stores keep: VARCHAR(255) on MySQL/MariaDB, counted in
// characters; SQLite is held to the same limit at the source boundary.
inline constexpr size_t kMaxIdentifierChars = 255;

// Where the first byte that is not well-formed UTF-8 is (npos when all of it is).
size_t invalid_utf8_at(std::string_view text);

// Each byte that is not part of well-formed UTF-8 becomes U+FFFD (the replacement
// character), so a parser that requires UTF-8 (JSON) can read the rest; `replaced` counts them.
std::string replace_invalid_utf8(std::string_view text, size_t& replaced);

// Why `id` cannot name an instance, or "" when it can: empty, longer than
// kMaxIdentifierChars characters, not valid UTF-8 (or holding U+FFFD, the mark of bytes that
// were not), or holding a control character (NUL, newline, ESC...).
std::string identifier_problem(std::string_view id);

}  // namespace im
