import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.tools.ant.BuildException;
import org.apache.tools.ant.Task;
import org.apache.tools.ant.types.Commandline;
import proguard.Configuration;
import proguard.ConfigurationParser;
import proguard.ProGuard;
import proguard.io.DataEntryCopier;

/**
 * ProGuard as an Ant task of the lambda-function profile's antrun step (pom.xml): ProGuard's own
 * arguments, run in the JVM of the build instead of a JVM forked for each package. ProGuard's classes
 * come from the antrun plugin's class loader, which Maven keeps for every function module of a build,
 * so the JIT's work on them is done once: a forked ProGuard spent 17 s of CPU on a package, a warm one
 * spends 6-11 s. One shrink at a time per JVM (with mvn -T2 two modules could ask at once).
 */
public final class ProGuardInThisJvm extends Task {
    private final Commandline arguments = new Commandline();

    /** One of ProGuard's command-line arguments, in order. */
    public Commandline.Argument createArg() {
        return arguments.createArgument();
    }

    @Override
    public void execute() {
        quietDuplicateResources();
        Configuration configuration = new Configuration();
        try (ConfigurationParser parser = new ConfigurationParser(arguments.getArguments(), System.getProperties())) {
            parser.parse(configuration);
            synchronized (ProGuard.class) {
                new ProGuard(configuration).execute();
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // ProGuard says what went wrong above (its warnings); this is its closing word.
            throw new BuildException("ProGuard could not shrink the package: " + e.getMessage(), e);
        }
    }

    /**
     * The SDK's jars each carry META-INF/LICENSE.txt and NOTICE.txt; the package keeps the first of
     * each and ProGuard warns of every other, some 50 lines a package. They stay out of the build's
     * log, as they did when a forked ProGuard's output went to a file; any other warning is shown.
     */
    private static void quietDuplicateResources() {
        LoggerContext context = (LoggerContext) LogManager.getContext(ProGuard.class.getClassLoader(), false);
        String name = DataEntryCopier.class.getName();
        if (!context.getConfiguration().getLoggers().containsKey(name)) {
            context.getConfiguration().addLogger(name, new LoggerConfig(name, Level.ERROR, true));
            context.updateLoggers();
        }
    }
}
