// One line on stderr before a node dies of a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT),
// naming the signal and the process, so a crash is never silent in a log.
#pragma once

namespace nineteen::net {

// Process-wide; `program` must outlive the process (a string literal or argv[0]). Also gives the
// calling thread an alternate signal stack.
void install_fatal_signal_log(const char* program);

// Gives the calling thread an alternate signal stack (once per thread; cheap afterwards), so that a
// stack overflow on it is reported too: the handler cannot run on the stack that overflowed.
void give_this_thread_a_signal_stack();

}  // namespace nineteen::net
