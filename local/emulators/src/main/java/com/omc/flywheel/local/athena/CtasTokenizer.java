package com.omc.flywheel.local.athena;

import static com.omc.flywheel.local.athena.AthenaFailure.unsupported;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a query into SQL tokens: words and numbers, 'string literals', "quoted identifiers" (both
 * with doubled quotes as escapes) and one-character symbols; whitespace and comments are dropped.
 */
final class CtasTokenizer {
    /** One token: its text (unquoted), its kind and its offset in the query. */
    record Token(String text, boolean quoted, boolean string, int offset) {
        /** An unquoted keyword, in any case. */
        boolean is(String keyword) {
            return !quoted && !string && text.equalsIgnoreCase(keyword);
        }

        /** A name: a quoted identifier, or an unquoted word starting with a letter or _. */
        boolean word() {
            return quoted || (!string && !text.isEmpty() && (Character.isLetter(text.charAt(0))
                    || text.charAt(0) == '_'));
        }

        /** The unquoted symbol {@code symbol}. */
        boolean isSymbol(String symbol) {
            return !quoted && !string && text.equals(symbol);
        }
    }

    private CtasTokenizer() {
    }

    static List<Token> tokenize(String sql) throws AthenaFailure {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    throw unsupported("an unterminated /* comment");
                }
                i = end + 2;
            } else if (c == '\'' || c == '"') {
                StringBuilder sb = new StringBuilder();
                int start = i++;
                while (true) {
                    if (i >= n) {
                        throw unsupported("an unterminated " + (c == '"' ? "quoted identifier" : "string literal"));
                    }
                    char d = sql.charAt(i);
                    if (d == c) {
                        if (i + 1 < n && sql.charAt(i + 1) == c) {
                            sb.append(c);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    sb.append(d);
                    i++;
                }
                out.add(new Token(sb.toString(), c == '"', c == '\'', start));
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(sql.substring(start, i), false, false, start));
            } else {
                out.add(new Token(String.valueOf(c), false, false, i++));
            }
        }
        return out;
    }

    /** The engine's position of a token in {@code sql}: {@code line L:C} (1-based). */
    static String position(String sql, Token t) {
        int line = 1;
        int col = 1;
        for (int k = 0; k < t.offset(); k++) {
            if (sql.charAt(k) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return "line " + line + ":" + col;
    }
}
