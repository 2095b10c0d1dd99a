package dev.tsunagu.cli;

import dev.tsunagu.driver.LinkDriverProvider;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.policy.NamedProvider;
import dev.tsunagu.policy.Policies;
import dev.tsunagu.policy.PolicyCatalog;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.util.ServiceProviders;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Lists what discovery found (by the rules of {@link ServiceProviders}, as a stack would):
 * layers, drivers (with why one is unavailable), TCP policies.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List the layers, link drivers and TCP policies found on the module path.")
final class PluginsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("layers:");
        for (LayerProvider p : ServiceProviders.load(LayerProvider.class, LayerProvider::name, "layer").values()) {
            out.printf("  %-12s %s%n", p.name(), p.kind());
        }
        out.println("link drivers:");
        for (LinkDriverProvider p : LinkDrivers.installed().providers()) {
            out.printf("  %-12s %s%s%n", p.name(), p.description(),
                    p.unavailabilityCause().map(c -> " [unavailable: " + c + "]").orElse(""));
        }
        Policies policies = Policies.installed(null, null, null);
        list(out, policies.congestionControlCatalog());
        list(out, policies.retransmissionCatalog());
        list(out, policies.sendBufferingCatalog());
        out.flush();
        return 0;
    }

    private static void list(PrintWriter out, PolicyCatalog<? extends NamedProvider> catalog) {
        out.printf("%s policies (default %s):%s%n", catalog.kind(), catalog.defaultName(),
                catalog.providers().isEmpty() ? " none installed (they come with stack-tcp)" : "");
        for (NamedProvider p : catalog.providers()) {
            out.printf("  %-12s %s%n", p.name(), p.description());
        }
    }
}
