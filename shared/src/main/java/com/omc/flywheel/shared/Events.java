package com.omc.flywheel.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.omc.flywheel.shared.errors.FlywheelException;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Reads events into records and writes results, strictly: unknown fields, wrong JSON types
 * (no "5" for a number, no 5 for a string), trailing garbage and non-JSON bodies are all
 * {@link InvalidInputException} naming the field. Records validate their own rules in their
 * compact constructors; an {@link InvalidInputException} thrown there reaches the caller as is.
 */
public final class Events {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .build();

    static {
        for (LogicalType t : new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Float,
                LogicalType.Boolean, LogicalType.Enum}) {
            MAPPER.coercionConfigFor(t)
                    .setCoercion(CoercionInputShape.Integer, t == LogicalType.Integer || t == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, t == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, t == LogicalType.Boolean
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, t == LogicalType.Textual || t == LogicalType.Enum
                            ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
    }

    private Events() {
    }

    /** The shared mapper (thread-safe), for writing results and reports. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static <T> T read(InputStream in, Class<T> type) {
        try {
            T value = MAPPER.readValue(in, type);
            if (value == null) {
                throw new InvalidInputException("", "the event is JSON null; send a JSON object");
            }
            return value;
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof FlywheelException typed) {
                throw typed;
            }
            throw new InvalidInputException(path(e), rootMessage(e));
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException(path(e), "unknown field; accepted fields are "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", ")));
        } catch (InvalidFormatException e) {
            String allowed = e.getTargetType() != null && e.getTargetType().isEnum()
                    ? " (one of " + Arrays.toString(e.getTargetType().getEnumConstants()) + ")" : "";
            throw new InvalidInputException(path(e), "value " + quote(e.getValue()) + " is not a valid "
                    + simpleType(e.getTargetType()) + allowed);
        } catch (MismatchedInputException e) {
            String p = path(e);
            if (p.isEmpty()) {
                throw new InvalidInputException("", "the event must be a JSON object ("
                        + firstLine(e.getOriginalMessage()) + ")");
            }
            throw new InvalidInputException(p, "wrong JSON type; expected " + simpleType(e.getTargetType()));
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("", "the event is not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the event", e);
        }
    }

    public static void write(OutputStream out, Object value) {
        try {
            MAPPER.writeValue(out, value);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the result", e);
        }
    }

    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not serialise " + value.getClass().getSimpleName(), e);
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String simpleType(Class<?> t) {
        if (t == null) {
            return "value";
        }
        if (t == String.class || t.isEnum()) {
            return "string";
        }
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
            return "whole number";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "boolean";
        }
        if (java.util.Map.class.isAssignableFrom(t)) {
            return "JSON object";
        }
        if (java.util.Collection.class.isAssignableFrom(t) || t.isArray()) {
            return "JSON array";
        }
        return t.isRecord() ? "JSON object" : t.getSimpleName();
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return firstLine(c.getMessage());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String quote(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }
}
