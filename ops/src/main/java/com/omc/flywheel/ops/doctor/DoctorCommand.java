package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.omc.flywheel.ops.Connection;
import java.io.PrintStream;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code bin/flywheel doctor}: what a first run would find in the account, before it runs. Exit 0
 * when nothing FAILs, 1 otherwise, 2 on a usage error.
 */
public final class DoctorCommand {
    static final String USAGE = """
            usage: bin/flywheel doctor --stack NAME [--region R] [--profile P] [--json]
                   bin/flywheel doctor --endpoint URL [--stack NAME] [--json]

            Reads the stack's parameters and outputs and checks every assumption the deployed code makes
            about resources the stack does not create. Read-only. One line per check: OK, WARN or FAIL,
            what it looked at, and for WARN/FAIL the fix. --json prints the same as a JSON array.
            At --endpoint (bin/flywheel local-run --keep-running) the stack is omc-flywheel-local.""";
    static final String LOCAL_STACK = "omc-flywheel-local";
    private static final Pattern STACK = Pattern.compile("^[A-Za-z][A-Za-z0-9-]{0,127}$");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The parsed command line. */
    record Options(String stack, Connection connection, boolean json) {
    }

    private DoctorCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("doctor: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        List<Finding> findings;
        try {
            findings = Doctor.examine(options.connection(), options.stack());
        } catch (Connection.NoRegionException e) {
            err.println("doctor: " + e.getMessage());
            return 2;
        }
        if (options.json()) {
            ArrayNode array = JSON.createArrayNode();
            findings.forEach(f -> array.add(f.json()));
            out.println(array.toPrettyString());
        } else {
            findings.forEach(f -> out.println(f.line()));
            out.println(Doctor.summary(findings));
        }
        return Doctor.exitCode(findings);
    }

    static Options parse(String[] args) {
        String stack = null;
        String region = null;
        String profile = null;
        String endpoint = null;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--json" -> json = true;
                case "--stack", "--region", "--profile", "--endpoint" -> {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--stack" -> stack = v;
                        case "--region" -> region = v;
                        case "--profile" -> profile = v;
                        default -> endpoint = v;
                    }
                }
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (stack == null) {
            if (endpoint == null) {
                throw new IllegalArgumentException("--stack NAME is needed (the stack sam deploy created)");
            }
            stack = LOCAL_STACK;
        }
        if (!STACK.matcher(stack).matches()) {
            throw new IllegalArgumentException("--stack " + stack + " is not a stack name");
        }
        if (endpoint != null && !endpoint.matches("^https?://[^\\s]+$")) {
            throw new IllegalArgumentException("--endpoint " + endpoint + " is not an http(s) URL");
        }
        if (endpoint != null && profile != null) {
            throw new IllegalArgumentException("--profile and --endpoint exclude each other");
        }
        if (region != null && !region.matches("^[a-z]{2}(-[a-z]+)+-[0-9]$")) {
            throw new IllegalArgumentException("--region " + region + " is not a region");
        }
        return new Options(stack, new Connection(profile, region, endpoint), json);
    }
}
