package dev.tsunagu.cli.tools;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every network command holds: its picocli spec (usage errors, the command line's
 * streams), the options that build its one stack ({@link NetworkOptions}), and the
 * {@link Io} it runs with. picocli reads a superclass's annotated fields as the command's own,
 * the superclass's first, so the shared options keep their place in each command's help.
 */
abstract class NetworkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    NetworkOptions net;

    final Io io;

    NetworkCommand(Io io) {
        this.io = io;
    }
}
