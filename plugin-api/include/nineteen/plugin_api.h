/* The whole contract between the nineteen host and a task plugin. Pure C; compiles as C and C++.
 *
 * Shape (after Triton's backend API and ONNX Runtime's versioned tables):
 *   - A plugin is a shared library that exports exactly one symbol, NT_PLUGIN_ENTRY_SYMBOL.
 *   - The host calls it with its own services table and receives the plugin's function table.
 *     Both tables begin with a frozen header (abi_major, abi_minor, struct_size) so either side can
 *     tell which layout the other was built with before touching anything else.
 *   - Compatibility: the host accepts a plugin whose major equals its own and whose minor is not
 *     newer than its own. Tables are append-only within a major: a field is never moved or removed.
 *   - Only bytes and plain numbers cross: requests, responses, descriptors and configs are UTF-8
 *     JSON; qualities and work are doubles. No C++ type, exception or tensor crosses.
 *   - Errors are nt_status objects; NULL means success. A status carries its own release function,
 *     so whoever allocated it frees it (nt_status_release below).
 *   - Every buffer a plugin hands out is an nt_buffer with its own release function, likewise.
 *   - Every function pointer in either table must not throw or longjmp across the boundary.
 *
 * Lifecycle, per level:
 *   plugin  (once per loaded library)       plugin_init -> ... -> plugin_finalize
 *   task    (once per enabled tasks.toml entry) task_create -> ... -> task_destroy
 *   calls   (any number, concurrently)       describe, self_test, synthesize, serve, check, work
 * The host destroys every task of a plugin before finalizing that plugin, and finalizes the plugin
 * before unloading the library. Calls on a task never overlap its task_create or task_destroy.
 */
#ifndef NINETEEN_PLUGIN_API_H
#define NINETEEN_PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NT_ABI_MAJOR 1
#define NT_ABI_MINOR 1

/* The one symbol a plugin exports (type: nt_plugin_entry_fn). */
#define NT_PLUGIN_ENTRY_SYMBOL "nineteen_plugin_entry"

#if defined(_WIN32)
#define NT_EXPORT __declspec(dllexport)
#else
#define NT_EXPORT __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------- status objects (since 1.0) */

typedef enum nt_code {
  NT_OK = 0,
  NT_INVALID_ARGUMENT = 1,  /* the request or config is wrong; the message says what to fix */
  NT_NOT_FOUND = 2,         /* a named thing (task, file, model) does not exist */
  NT_UNAVAILABLE = 3,       /* cannot serve right now; retrying later may work */
  NT_RESOURCE_EXHAUSTED = 4,/* full (the miner answers 429) */
  NT_CANCELLED = 5,         /* the host cancelled the call (client gone, shutdown) */
  NT_UNIMPLEMENTED = 6,     /* the task does not provide this function */
  NT_INTERNAL = 7,          /* a bug or an unexpected failure inside the plugin */
  NT_ABI_MISMATCH = 8       /* the two sides' ABI versions cannot work together */
} nt_code;

/* The lower-case name of a code, for messages and logs ("invalid_argument"). */
static inline const char* nt_code_name(int32_t code) {
  switch (code) {
    case NT_OK: return "ok";
    case NT_INVALID_ARGUMENT: return "invalid_argument";
    case NT_NOT_FOUND: return "not_found";
    case NT_UNAVAILABLE: return "unavailable";
    case NT_RESOURCE_EXHAUSTED: return "resource_exhausted";
    case NT_CANCELLED: return "cancelled";
    case NT_UNIMPLEMENTED: return "unimplemented";
    case NT_INTERNAL: return "internal";
    case NT_ABI_MISMATCH: return "abi_mismatch";
    default: return "unknown";
  }
}

/* An error. Frozen layout: code, message, release. The allocating side sets release; the receiving
 * side calls nt_status_release exactly once when done. message is NUL-terminated UTF-8, owned by
 * the status and valid until release. */
typedef struct nt_status {
  int32_t code; /* an nt_code; never NT_OK (success is a NULL status) */
  const char* message;
  void (*release)(struct nt_status* self);
} nt_status;

static inline void nt_status_release(nt_status* status) {
  if (status && status->release) status->release(status);
}

/* ---------------------------------------------------------------- buffers (since 1.0) */

/* Bytes handed from one side to the other. The producer fills all fields; the consumer reads
 * data[0..size) and then calls nt_buffer_release exactly once. `owner` is the producer's. */
typedef struct nt_buffer {
  const char* data;
  size_t size;
  void* owner;
  void (*release)(struct nt_buffer* self);
} nt_buffer;

static inline void nt_buffer_release(nt_buffer* buffer) {
  if (buffer && buffer->release) buffer->release(buffer);
  if (buffer) {
    buffer->data = NULL;
    buffer->size = 0;
    buffer->owner = NULL;
    buffer->release = NULL;
  }
}

/* A borrowed view of bytes: valid only for the duration of the call it is passed to. */
typedef struct nt_slice {
  const char* data;
  size_t size;
} nt_slice;

/* ---------------------------------------------------------------- host services (since 1.0) */

typedef enum nt_log_level {
  NT_LOG_TRACE = 0,
  NT_LOG_DEBUG = 1,
  NT_LOG_INFO = 2,
  NT_LOG_WARN = 3,
  NT_LOG_ERROR = 4
} nt_log_level;

/* Opaque host objects. */
typedef struct nt_host nt_host; /* the host itself; lives from plugin_init to plugin_finalize */
typedef struct nt_call nt_call; /* one serve call in flight; valid only during that task_serve */

/* Receives one chunk of another task's answer during host->invoke. data is borrowed (valid only
 * during the callback). Return 0 to go on, non-zero to stop the invoked task (it is cancelled). */
typedef int32_t (*nt_chunk_fn)(void* user, const char* data, size_t size);

/* What the host offers the plugin. Passed to the entry function; valid until plugin_finalize
 * returns. Every function here is thread-safe and may be called from any thread. */
typedef struct nt_host_api {
  /* frozen header */
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t struct_size; /* sizeof(nt_host_api) as the host was built: fields past it are absent */

  nt_host* host;

  /* Writes one line to the host's log, attributed to the plugin. message is borrowed. */
  void (*log)(nt_host* host, int32_t level, const char* message);

  /* Runs another enabled task by name (a workflow plugin calling a task it does not link).
   * request is borrowed JSON. Each answer chunk is passed to on_chunk on the calling thread before
   * invoke returns. `parent` is the caller's own call, or NULL outside serve: cancelling the parent
   * cancels the invoked task. Returns NULL on success or a status (owned by the caller) naming the
   * task and what failed. A task may not invoke itself, directly or through others (the host
   * refuses a depth over 8). */
  nt_status* (*invoke)(nt_host* host, nt_call* parent, const char* task_name, nt_slice request,
                       nt_chunk_fn on_chunk, void* user);

  /* Emits one chunk of a serve answer (JSON, borrowed: the host copies it before returning).
   * Returns 0 to go on, non-zero when the call is cancelled: the plugin should stop soon and return
   * an NT_CANCELLED status. Only from the thread running that task_serve. */
  int32_t (*emit)(nt_call* call, const char* data, size_t size);

  /* Non-zero once the call is cancelled (client gone, timeout, shutdown). Cheap; poll it between
   * expensive steps. Any thread, while the call is in flight. */
  int32_t (*cancelled)(const nt_call* call);
} nt_host_api;

/* ---------------------------------------------------------------- the plugin's table (since 1.0) */

typedef struct nt_plugin nt_plugin; /* plugin-level state, one per loaded library */
typedef struct nt_task nt_task;     /* one configured task */

typedef struct nt_plugin_api {
  /* frozen header */
  uint32_t abi_major;   /* NT_ABI_MAJOR the plugin was built with */
  uint32_t abi_minor;   /* NT_ABI_MINOR the plugin was built with */
  uint32_t struct_size; /* sizeof(nt_plugin_api) as the plugin was built */

  /* Static NUL-terminated strings owned by the library, valid while it is loaded. */
  const char* plugin_name;
  const char* plugin_version;

  /* --- plugin level --- */

  /* Sets up plugin-wide state. `host` stays valid until plugin_finalize returns. Called once, before
   * any other function below. On success *out is set (may be any non-NULL value). Not concurrent. */
  nt_status* (*plugin_init)(const nt_host_api* host, nt_plugin** out);

  /* Tears down plugin-wide state. Called once, after every task of the plugin was destroyed.
   * No work may be left running in the library afterwards (threads joined). */
  void (*plugin_finalize)(nt_plugin* plugin);

  /* The task types this plugin can create, as JSON into *out (released by the caller):
   * {"task_types":[{"type":"chat","description":"..."}, ...]}. Thread-safe. */
  nt_status* (*plugin_describe)(nt_plugin* plugin, nt_buffer* out);

  /* --- task level --- */

  /* Creates one task. task_name is the catalogue name (borrowed). config is the task's own table
   * from tasks.toml converted to JSON (borrowed), including "type" when the catalogue gives one.
   * The plugin validates it and loads its model here; an error names the key and what was
   * expected. On success *out is set. Concurrent calls for different tasks may happen. */
  nt_status* (*task_create)(nt_plugin* plugin, const char* task_name, nt_slice config,
                            nt_task** out);

  /* Frees the task. No call on it is in flight and none follows. */
  void (*task_destroy)(nt_task* task);

  /* The task's descriptor as JSON into *out (released by the caller):
   * {"name","kind":"text|image|embedding|workflow","endpoint":"/v1/...","stream":bool,
   *  "work_unit":"tokens|steps|...","model":"..."}; further keys are allowed. Thread-safe. */
  nt_status* (*task_describe)(nt_task* task, nt_buffer* out);

  /* A quick end-to-end check that the task works (e.g. synthesize, serve, check its own answer).
   * Run by the host after task_create on every (re)load; failure keeps the task out of service. */
  nt_status* (*task_self_test)(nt_task* task);

  /* A synthetic request for `seed`, as JSON into *out. Same seed -> same bytes. Thread-safe. */
  nt_status* (*task_synthesize)(nt_task* task, uint64_t seed, nt_buffer* out);

  /* Serves one request (the miner side). Emits the answer through host->emit(call, ...): one chunk
   * for a non-streamed task, one per step for a streamed one. A request error before the first
   * chunk is returned as NT_INVALID_ARGUMENT with a message for the user. Thread-safe: the host may
   * run many serve calls on one task at once (the miner limits concurrency itself). */
  nt_status* (*task_serve)(nt_task* task, nt_call* call, nt_slice request);

  /* Checks n answers against the reference (the checking side). Each quality is a finite number in
   * [NT_QUALITY_MIN, NT_QUALITY_MAX]: 1 is a right answer, 0 a worthless one, and values below 0 are
   * penalties (MECHANISM.md §6: -10 for an early stop) that the validator carries into its scores.
   * The host treats any other value as the checker failing. requests[i] is the request JSON,
   * responses[i] the answer as a JSON array of the chunks the miner emitted, in order. Writes
   * qualities[i] (caller-owned array of n doubles) and, into *reasons, a JSON array of n strings
   * naming the rule that decided each quality (released by the caller). A malformed answer is a
   * quality (usually 0) with a reason, not an error; an error status means the checker itself
   * failed. Thread-safe. */
  nt_status* (*task_check)(nt_task* task, size_t n, const nt_slice* requests,
                           const nt_slice* responses, double* qualities, nt_buffer* reasons);

  /* The work one answer represents, in the task's work unit (tokens, steps, ...), into *out.
   * Same argument shapes as task_check for one answer. Thread-safe. */
  nt_status* (*task_work)(nt_task* task, nt_slice request, nt_slice response, double* out);

  /* --- since 1.1 (read only when struct_size reaches it) --- */

  /* Whether the task would serve `request` (borrowed JSON), without serving it: NULL when it would,
   * NT_INVALID_ARGUMENT with a message for the user naming the key otherwise. Cheap: no model run.
   * The gateway calls it before a user's request reaches any miner, so a request a miner would
   * refuse (or that could harm one) never leaves the validator. Thread-safe. */
  nt_status* (*task_validate)(nt_task* task, nt_slice request);
} nt_plugin_api;

/* The range of a checked quality (see task_check). */
#define NT_QUALITY_MIN (-10.0)
#define NT_QUALITY_MAX 1.0

/* The entry point. `host` is valid until plugin_finalize returns (or until the library is unloaded
 * if plugin_init is never called). On success sets *out to a table with static storage in the
 * library and returns NULL. The plugin should not refuse a newer host minor: the host checks
 * compatibility itself from the table's header. */
typedef nt_status* (*nt_plugin_entry_fn)(const nt_host_api* host, const nt_plugin_api** out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NINETEEN_PLUGIN_API_H */
