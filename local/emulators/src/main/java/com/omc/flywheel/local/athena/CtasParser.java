package com.omc.flywheel.local.athena;

import static com.omc.flywheel.local.athena.AthenaFailure.unsupported;

import com.omc.flywheel.local.athena.CtasStatement.Item;
import com.omc.flywheel.local.athena.CtasStatement.Name;
import com.omc.flywheel.local.athena.CtasTokenizer.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a query's tokens into a {@link CtasStatement}: the one CTAS form this stand-in runs;
 * anything else is a loud NOT_SUPPORTED failure naming what it met. Also tells a CTAS (the
 * stand-in's) from every other query (moto's), {@link #isCtas}.
 */
final class CtasParser {
    private static final Set<String> RESERVED = Set.of("FROM", "WHERE", "GROUP", "ORDER", "LIMIT", "UNION", "JOIN",
            "AS", "HAVING", "WITH", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "OFFSET", "FETCH", "EXCEPT",
            "INTERSECT", "SELECT");
    private static final Set<String> KNOWN_PROPERTIES = Set.of("external_location", "format", "write_compression",
            "parquet_compression");
    private static final Pattern CTAS_TEXT = Pattern.compile(
            "^\\s*CREATE\\s+TABLE\\b.*\\bAS\\s*(\\(|SELECT\\b|WITH\\b)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private final String sql;
    private final List<Token> tokens;
    private int i;

    private CtasParser(String sql) throws AthenaFailure {
        this.sql = sql;
        this.tokens = CtasTokenizer.tokenize(sql);
    }

    /** The statement of {@code sql}, or the failure Athena reports for a query the stand-in does not run. */
    static CtasStatement parse(String sql) throws AthenaFailure {
        return new CtasParser(sql).statement();
    }

    /** A CTAS: {@code CREATE [OR REPLACE] [EXTERNAL] TABLE ... AS <query>}; everything else is moto's. */
    static boolean isCtas(String sql) {
        List<Token> t;
        try {
            t = CtasTokenizer.tokenize(sql);
        } catch (AthenaFailure unreadable) {
            return CTAS_TEXT.matcher(sql).find();
        }
        if (t.isEmpty() || !t.get(0).is("CREATE")) {
            return false;
        }
        int i = 1;
        while (i < t.size() && (t.get(i).is("OR") || t.get(i).is("REPLACE") || t.get(i).is("EXTERNAL"))) {
            i++;
        }
        if (i >= t.size() || !t.get(i).is("TABLE")) {
            return false;
        }
        for (int j = i + 1; j + 1 < t.size(); j++) {
            Token n = t.get(j + 1);
            if (t.get(j).is("AS") && (n.is("SELECT") || n.is("WITH") || n.is("VALUES") || n.is("TABLE")
                    || n.text().equals("("))) {
                return true;
            }
        }
        return false;
    }

    private CtasStatement statement() throws AthenaFailure {
        Token create = expect("CREATE");
        if (peek("OR")) {
            throw unsupported("CREATE OR REPLACE TABLE");
        }
        if (peek("EXTERNAL")) {
            throw unsupported("CREATE EXTERNAL TABLE ... AS");
        }
        expect("TABLE");
        if (peek("IF")) {
            throw unsupported("CREATE TABLE IF NOT EXISTS");
        }
        Name target = name();
        if (peekSymbol("(")) {
            throw unsupported("a column list after the table name");
        }
        Map<String, String> properties = properties();
        if (peek("COMMENT")) {
            throw unsupported("a table COMMENT");
        }
        expect("AS");
        if (peekSymbol("(")) {
            throw unsupported("a parenthesised query after AS");
        }
        if (peek("WITH") || peek("VALUES") || peek("TABLE")) {
            throw unsupported("AS " + tokens.get(i).text().toUpperCase(Locale.ROOT) + " (only AS SELECT)");
        }
        expect("SELECT");
        if (peek("DISTINCT") || peek("ALL")) {
            throw unsupported("SELECT " + tokens.get(i).text().toUpperCase(Locale.ROOT));
        }
        List<Item> items = new ArrayList<>();
        do {
            items.add(item());
        } while (acceptSymbol(","));
        expect("FROM");
        if (peekSymbol("(")) {
            throw unsupported("a subquery in FROM");
        }
        Name source = name();
        acceptSymbol(";");
        if (i < tokens.size()) {
            throw unsupported(trailing(tokens.get(i)));
        }
        return new CtasStatement(target, properties, items, source, pos(create));
    }

    /** {@code WITH (key = 'value', ...)}, or none. */
    private Map<String, String> properties() throws AthenaFailure {
        Map<String, String> properties = new LinkedHashMap<>();
        if (!peek("WITH")) {
            return properties;
        }
        i++;
        expectSymbol("(");
        do {
            Token key = identifier("a table property name");
            String k = key.text().toLowerCase(Locale.ROOT);
            if (!KNOWN_PROPERTIES.contains(k)) {
                throw unsupported("the table property " + k + " (only external_location, format, write_compression)");
            }
            expectSymbol("=");
            Token value = next("a property value");
            if (!value.string()) {
                throw unsupported("a property value that is not a string literal ('" + value.text() + "' for " + k
                        + ")");
            }
            properties.put(k, value.text());
        } while (acceptSymbol(","));
        expectSymbol(")");
        return properties;
    }

    /** {@code column [[AS] alias]}: a plain column, nothing computed. */
    private Item item() throws AthenaFailure {
        if (peekSymbol("*")) {
            throw unsupported("SELECT * (name the columns)");
        }
        Token col = identifier("a column name");
        if (peekSymbol(".")) {
            throw unsupported("a qualified column reference (" + col.text() + "." + (i + 1 < tokens.size()
                    ? tokens.get(i + 1).text() : "") + ")");
        }
        if (peekSymbol("(")) {
            throw unsupported("a function call (" + col.text() + "(...))");
        }
        String alias = null;
        if (peek("AS")) {
            i++;
            alias = identifier("a column alias").text().toLowerCase(Locale.ROOT);
        } else if (i < tokens.size() && tokens.get(i).word()
                && !RESERVED.contains(tokens.get(i).text().toUpperCase(Locale.ROOT))) {
            alias = identifier("a column alias").text().toLowerCase(Locale.ROOT);
        }
        if (i < tokens.size() && !peekSymbol(",") && !peek("FROM")) {
            throw unsupported("an expression in the select list (at '" + tokens.get(i).text() + "', "
                    + pos(tokens.get(i)) + ")");
        }
        return new Item(col.text().toLowerCase(Locale.ROOT), alias, pos(col));
    }

    /** What a token after the source table starts, for the refusal. */
    private String trailing(Token extra) {
        if (extra.is("WHERE")) {
            return "a WHERE clause";
        }
        if (extra.is("JOIN") || extra.text().equals(",") || extra.is("CROSS") || extra.is("INNER")
                || extra.is("LEFT") || extra.is("RIGHT") || extra.is("FULL")) {
            return "more than one source table";
        }
        return extra.is("WITH") ? "WITH [NO] DATA" : "'" + extra.text() + "' after the source table (" + pos(extra)
                + ")";
    }

    private Name name() throws AthenaFailure {
        Token first = identifier("a table name");
        List<String> parts = new ArrayList<>(List.of(first.text().toLowerCase(Locale.ROOT)));
        while (acceptSymbol(".")) {
            parts.add(identifier("a table name").text().toLowerCase(Locale.ROOT));
        }
        if (parts.size() == 3) {
            if (!parts.get(0).equals(CtasStatement.CATALOG)) {
                throw unsupported("the catalog " + parts.get(0) + " (only awsdatacatalog)");
            }
            parts.remove(0);
        }
        if (parts.size() > 2) {
            throw unsupported("the name " + String.join(".", parts));
        }
        return parts.size() == 1 ? new Name(null, parts.get(0), pos(first))
                : new Name(parts.get(0), parts.get(1), pos(first));
    }

    private Token identifier(String what) throws AthenaFailure {
        Token t = next(what);
        if (!t.word()) {
            throw unsupported("'" + t.text() + "' where " + what + " was expected (" + pos(t) + ")");
        }
        return t;
    }

    private Token next(String what) throws AthenaFailure {
        if (i >= tokens.size()) {
            throw unsupported("a query that ends where " + what + " was expected");
        }
        return tokens.get(i++);
    }

    private Token expect(String keyword) throws AthenaFailure {
        Token t = next(keyword);
        if (!t.is(keyword)) {
            throw unsupported("'" + t.text() + "' where " + keyword + " was expected (" + pos(t) + ")");
        }
        return t;
    }

    private void expectSymbol(String symbol) throws AthenaFailure {
        Token t = next("'" + symbol + "'");
        if (!t.isSymbol(symbol)) {
            throw unsupported("'" + t.text() + "' where '" + symbol + "' was expected (" + pos(t) + ")");
        }
    }

    private boolean acceptSymbol(String symbol) {
        if (peekSymbol(symbol)) {
            i++;
            return true;
        }
        return false;
    }

    private boolean peek(String keyword) {
        return i < tokens.size() && tokens.get(i).is(keyword);
    }

    private boolean peekSymbol(String symbol) {
        return i < tokens.size() && tokens.get(i).isSymbol(symbol);
    }

    private String pos(Token t) {
        return CtasTokenizer.position(sql, t);
    }
}
