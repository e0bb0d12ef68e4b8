// Node-API glue, and nothing else: converts arguments to core structs (checking every type and
// length), runs batches on a native thread, and converts results back. No Napi call is made off
// the main thread: workers only write core structs and queue indices through a ThreadSafeFunction.
#include <napi.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/batch.h"
#include "core/cpu.h"
#include "core/evaluate.h"
#include "core/lap.h"
#include "core/model.h"
#include "core/numerics.h"

namespace {

using protomlp::EpochKernel;
using protomlp::Job;
using protomlp::Result;

[[noreturn]] void throwType(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}
[[noreturn]] void throwRange(Napi::Env env, const std::string& message) {
  throw Napi::RangeError::New(env, message);
}

double numberField(const Napi::Object& o, const std::string& where, const char* name) {
  Napi::Value value = o.Get(name);
  if (!value.IsNumber()) throwType(o.Env(), where + name + ": expected a number");
  return value.As<Napi::Number>().DoubleValue();
}

/** An integer field, checked for range before any conversion (a cast of 1e300 to int is UB). */
int64_t integerField(const Napi::Object& o, const std::string& where, const char* name, double min,
                     double max) {
  const double value = numberField(o, where, name);
  if (!(value >= min && value <= max) || std::floor(value) != value) {
    throwRange(o.Env(), where + name + ": got " +
                            Napi::Number::New(o.Env(), value).ToString().Utf8Value() +
                            ", expected an integer from " + std::to_string((int64_t)min) + " to " +
                            std::to_string((int64_t)max));
  }
  return (int64_t)value;
}

std::vector<double> arrayField(const Napi::Object& o, const std::string& where, const char* name) {
  Napi::Value value = o.Get(name);
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throwType(o.Env(), where + name + ": expected a Float64Array");
  }
  Napi::Float64Array a = value.As<Napi::Float64Array>();
  return std::vector<double>(a.Data(), a.Data() + a.ElementLength());
}

/** Copies one job out of JS (the worker threads never see a JS value). */
Job readJob(const Napi::Value& value, const std::string& where, bool forTraining) {
  Napi::Env env = value.Env();
  if (!value.IsObject())
    throwType(env, where.substr(0, where.size() - 1) + ": expected a job object");
  Napi::Object o = value.As<Napi::Object>();
  Job job;
  job.n = (int)integerField(o, where, "n", 2, protomlp::kMaxN);
  job.h = (int)integerField(o, where, "h", 2, protomlp::kMaxHidden);
  job.d = (int)integerField(o, where, "d", 1, protomlp::kMaxDim);
  job.maskBits = (unsigned)integerField(o, where, "maskBits", 0, 7);
  if (o.Has("unit")) job.unit = (int)integerField(o, where, "unit", 0, 1);
  if (o.Has("activation")) job.activation = (int)integerField(o, where, "activation", 0, 2);
  job.lambda = numberField(o, where, "lambda");
  job.tau = numberField(o, where, "tau");
  job.tauCov = numberField(o, where, "tauCov");
  if (forTraining) {
    job.lr = numberField(o, where, "lr");
    job.epochs = integerField(o, where, "epochs", 1, protomlp::kMaxEpochs);
    if (o.Has("cost")) job.cost = numberField(o, where, "cost");
  }
  job.x = arrayField(o, where, "x");
  job.y = arrayField(o, where, "y");
  job.W = arrayField(o, where, "W");
  job.b = arrayField(o, where, "b");
  job.v = arrayField(o, where, "v");
  job.c = numberField(o, where, "c");
  const std::string error = protomlp::validateJob(job, forTraining);
  if (!error.empty()) throwRange(env, where + error);
  return job;
}

Napi::Float64Array toFloat64Array(Napi::Env env, const std::vector<double>& values) {
  Napi::Float64Array a = Napi::Float64Array::New(env, values.size());
  std::copy(values.begin(), values.end(), a.Data());
  return a;
}

Napi::Object termsToJs(Napi::Env env, const protomlp::Terms& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("fit", t.fit);
  o.Set("cov", t.cov);
  o.Set("sep", t.sep);
  o.Set("ovl", t.ovl);
  return o;
}

Napi::Int32Array toInt32Array(Napi::Env env, const std::vector<int32_t>& values) {
  Napi::Int32Array a = Napi::Int32Array::New(env, values.size());
  std::copy(values.begin(), values.end(), a.Data());
  return a;
}

Napi::Object resultToJs(Napi::Env env, const Result& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("W", toFloat64Array(env, r.W));
  o.Set("b", toFloat64Array(env, r.b));
  o.Set("v", toFloat64Array(env, r.v));
  o.Set("c", r.c);
  o.Set("diverged", r.diverged);
  o.Set("epochsRun", (double)r.epochsRun);
  o.Set("wallMs", r.wallMs);
  if (r.evaluated) {
    o.Set("terms", termsToJs(env, r.terms));
    o.Set("winners", toInt32Array(env, r.winners));
  }
  return o;
}

/** The kernel named by an optional isa argument, else the active one. */
const EpochKernel& kernelArgument(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || info[index].IsUndefined() || info[index].IsNull())
    return protomlp::activeKernel();
  if (!info[index].IsString()) throwType(info.Env(), "isa: expected a string");
  std::string error;
  const EpochKernel* kernel =
      protomlp::findKernel(info[index].As<Napi::String>().Utf8Value(), error);
  if (kernel == nullptr) throwRange(info.Env(), error);
  return *kernel;
}

/** A thread count argument: an integer from 1 to 1024. */
int threadsArgument(const Napi::Value& value) {
  if (!value.IsNumber()) throwType(value.Env(), "threads: expected a number");
  const double threads = value.As<Napi::Number>().DoubleValue();
  if (!(threads >= 1 && threads <= 1024) || std::floor(threads) != threads) {
    throwRange(value.Env(), "threads: got " + value.ToString().Utf8Value() +
                                ", expected an integer from 1 to 1024");
  }
  return (int)threads;
}

/** One batch in flight; owned by its ThreadSafeFunction, deleted by the finalizer on the main
 * thread. */
struct Batch {
  explicit Batch(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
  std::vector<Job> jobs;
  std::vector<Result> results;
  int threads = 1;
  const EpochKernel* kernel = nullptr;
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  bool cancelled = false;  // written by the runner before it releases the tsfn
  std::string error;
  std::thread runner;
  Napi::Promise::Deferred deferred;
  Napi::ThreadSafeFunction tsfn;
};

/**
 * trainBatch(jobs, threads, onResult(index, result), isa?) -> { promise, cancel() }.
 * The promise resolves to { cancelled } once every run is done (or skipped after cancel()), and
 * rejects if a run failed (for instance out of memory). Runs start largest first.
 */
Napi::Value TrainBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsArray()) throwType(env, "jobs: expected an array of jobs");
  if (!info[2].IsFunction()) throwType(env, "onResult: expected a function");
  Napi::Array jobs = info[0].As<Napi::Array>();
  auto batch = std::make_unique<Batch>(env);
  batch->threads = threadsArgument(info[1]);
  batch->kernel = &kernelArgument(info, 3);
  batch->jobs.reserve(jobs.Length());
  for (uint32_t i = 0; i < jobs.Length(); i++) {
    batch->jobs.push_back(readJob(jobs.Get(i), "jobs[" + std::to_string(i) + "].", true));
  }

  Batch* raw = batch.get();
  raw->tsfn = Napi::ThreadSafeFunction::New(
      env, info[2].As<Napi::Function>(), "protomlp.trainBatch", 0, 1, raw,
      [](Napi::Env env, Batch* b) {
        b->cancel->store(
            true);  // normally a no-op; at environment teardown it stops the runs early
        if (b->runner.joinable()) b->runner.join();
        try {
          if (!b->error.empty()) {
            b->deferred.Reject(Napi::Error::New(env, b->error).Value());
          } else {
            Napi::Object status = Napi::Object::New(env);
            status.Set("cancelled", b->cancelled);
            b->deferred.Resolve(status);
          }
        } catch (...) {
          // the environment is shutting down: nobody is waiting for the promise any more
        }
        delete b;
      });
  Napi::Promise promise = raw->deferred.Promise();
  std::shared_ptr<std::atomic<bool>> cancel = raw->cancel;
  batch.release();
  raw->runner = std::thread([raw] {
    try {
      raw->error = protomlp::runBatch(
          raw->jobs, raw->results, raw->threads, *raw->kernel, *raw->cancel, [raw](size_t index) {
            raw->tsfn.NonBlockingCall(new size_t(index), [raw](Napi::Env env,
                                                               Napi::Function onResult,
                                                               size_t* slot) {
              const size_t i = *slot;
              delete slot;
              onResult.Call({Napi::Number::New(env, (double)i), resultToJs(env, raw->results[i])});
            });
          });
    } catch (const std::exception& e) {
      raw->error = e.what();
    }
    raw->cancelled = raw->cancel->load();
    raw->tsfn.Release();
  });

  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", promise);
  handle.Set("cancel",
             Napi::Function::New(
                 env, [cancel](const Napi::CallbackInfo&) { cancel->store(true); }, "cancel"));
  return handle;
}

Napi::Object gradientToJs(Napi::Env env, const protomlp::Gradient& g) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("W", toFloat64Array(env, g.W));
  o.Set("b", toFloat64Array(env, g.b));
  o.Set("v", toFloat64Array(env, g.v));
  o.Set("c", g.c);
  return o;
}

/** termsAndGrads(job, isa?) -> { terms: {fit, cov, sep, ovl}, grads: {fit, cov, sep, ovl} } */
Napi::Value TermsAndGrads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throwType(env, "job: expected a job object");
  const Job job = readJob(info[0], "job.", false);
  const protomlp::TermsAndGrads tg = protomlp::termsAndGrads(job, kernelArgument(info, 1));
  Napi::Object terms = termsToJs(env, tg.terms);
  Napi::Object grads = Napi::Object::New(env);
  grads.Set("fit", gradientToJs(env, tg.fit));
  grads.Set("cov", gradientToJs(env, tg.cov));
  grads.Set("sep", gradientToJs(env, tg.sep));
  grads.Set("ovl", gradientToJs(env, tg.ovl));
  Napi::Object out = Napi::Object::New(env);
  out.Set("terms", terms);
  out.Set("grads", grads);
  return out;
}

/**
 * evaluate(job, threads?) -> { terms, winners }: the evaluator's terms and winning neurons at the
 * job's parameters (W, b, v, c; lr/epochs unused), the bits of TS computeTerms/winningNeurons.
 */
Napi::Value Evaluate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throwType(env, "job: expected a job object");
  const Job job = readJob(info[0], "job.", false);
  if (job.unit != 0 || job.activation != 0)
    throwRange(env,
               "job.unit, job.activation: the evaluator computes the paper's neuron only (0, 0)");
  const int threads = info.Length() > 1 && !info[1].IsUndefined() ? threadsArgument(info[1]) : 1;
  const protomlp::ParamsView params{job.W.data(), job.b.data(), job.v.data(), job.c};
  const protomlp::Evaluation e = protomlp::evaluate(job, params, threads);
  Napi::Object out = Napi::Object::New(env);
  out.Set("terms", termsToJs(env, e.terms));
  out.Set("winners", toInt32Array(env, e.winners));
  return out;
}

Napi::Array isaNames(Napi::Env env, const std::vector<const EpochKernel*>& kernels) {
  Napi::Array a = Napi::Array::New(env, kernels.size());
  for (uint32_t i = 0; i < kernels.size(); i++) a.Set(i, kernels[i]->isa);
  return a;
}

/** info() -> { isa, supported, compiled, threads, numerics, fma, constants } (constants: { adam,
 *  limits, prototypeEps }) */
Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", protomlp::activeKernel().isa);
  o.Set("supported", isaNames(env, protomlp::supportedKernels()));
  o.Set("compiled", isaNames(env, protomlp::compiledKernels()));
  o.Set("threads", (double)std::thread::hardware_concurrency());
  o.Set("numerics", protomlp::kNumericsVersion);
  o.Set("fma", PROTOMLP_FMA != 0);
  Napi::Object adam = Napi::Object::New(env);
  adam.Set("beta1", protomlp::kAdamBeta1);
  adam.Set("beta2", protomlp::kAdamBeta2);
  adam.Set("eps", protomlp::kAdamEps);
  Napi::Object limits = Napi::Object::New(env);
  limits.Set("maxN", protomlp::kMaxN);
  limits.Set("maxHidden", protomlp::kMaxHidden);
  limits.Set("maxDim", protomlp::kMaxDim);
  limits.Set("maxEpochs", protomlp::kMaxEpochs);
  Napi::Object constants = Napi::Object::New(env);
  constants.Set("adam", adam);
  constants.Set("limits", limits);
  constants.Set("prototypeEps", protomlp::kPrototypeEps);
  o.Set("constants", constants);
  return o;
}

/** setIsa(name): the variant used by calls that do not name one (process-wide). */
Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) throwType(info.Env(), "isa: expected a string");
  const std::string error = protomlp::setActiveIsa(info[0].As<Napi::String>().Utf8Value());
  if (!error.empty()) throwRange(info.Env(), error);
  return info.Env().Undefined();
}

/** The exp of vectorExp (the kernel's) or fdlibmExp (the evaluator's) on a Float64Array. */
Napi::Value expOfValues(const Napi::CallbackInfo& info, bool fdlibm) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throwType(env, "values: expected a Float64Array");
  }
  Napi::Float64Array in = info[0].As<Napi::Float64Array>();
  const EpochKernel& kernel = kernelArgument(info, 1);
  if (in.ElementLength() > (size_t)1 << 30) throwRange(env, "values: too long");
  Napi::Float64Array out = Napi::Float64Array::New(env, in.ElementLength());
  const auto exp = fdlibm ? protomlp::expArrayFor(kernel.isa) : kernel.exp;
  exp(in.Data(), out.Data(), (int)in.ElementLength());
  return out;
}

/** vectorExp(values, isa?) -> the kernel's exp of each value (accuracy tests). */
Napi::Value VectorExp(const Napi::CallbackInfo& info) { return expOfValues(info, false); }

/** fdlibmExp(values, isa?) -> the evaluator's exp of each value, fdlibm's bits (tests). */
Napi::Value FdlibmExp(const Napi::CallbackInfo& info) { return expOfValues(info, true); }
/** A Float64Array argument (no copy: the call is synchronous and reads it in place). */
Napi::Float64Array float64Argument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throwType(info.Env(), std::string(name) + ": expected a Float64Array");
  }
  return info[index].As<Napi::Float64Array>();
}

/** A size argument: an integer from 1 to 2^31 (checked before any conversion). */
int64_t sizeArgument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const double max = 2147483648.0;
  const double value =
      info.Length() > index && info[index].IsNumber() ? info[index].As<Napi::Number>() : NAN;
  if (!(value >= 1 && value <= max) || std::floor(value) != value) {
    throwRange(info.Env(), std::string(name) + ": got " + info[index].ToString().Utf8Value() +
                               ", expected an integer from 1 to 2147483648");
  }
  return (int64_t)value;
}

/**
 * matchInputs(x, protos, n, h, d) -> Int32Array | null: the exact recon matching
 * (native/core/lap.h, LAPJV), for each input its prototype or -1; null when the native solver
 * cannot decide it (a distance that is not finite, more than kMaxLapCells pairs, no memory), and
 * the TS path does. Synchronous on the main thread: a run's evaluation calls it once per run.
 */
Napi::Value MatchInputs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Napi::Float64Array x = float64Argument(info, 0, "x");
  const Napi::Float64Array protos = float64Argument(info, 1, "protos");
  const int64_t n = sizeArgument(info, 2, "n");
  const int64_t h = sizeArgument(info, 3, "hidden");
  const int64_t d = sizeArgument(info, 4, "dim");
  std::vector<int32_t> rowToCol((size_t)n);
  protomlp::LapStatus status;
  try {
    status =
        protomlp::matchEuclidean(x.Data(), x.ElementLength(), protos.Data(), protos.ElementLength(),
                                 n, h, d, rowToCol.data(), rowToCol.size());
  } catch (const std::invalid_argument& e) {
    throwRange(env, e.what());
  }
  if (status != protomlp::LapStatus::kOk) return env.Null();
  Napi::Int32Array out = Napi::Int32Array::New(env, rowToCol.size());
  std::copy(rowToCol.begin(), rowToCol.end(), out.Data());
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const std::string error = protomlp::applySimdEnvironment();
  if (!error.empty()) throw Napi::Error::New(env, error);
  exports.Set("trainBatch", Napi::Function::New(env, TrainBatch, "trainBatch"));
  exports.Set("termsAndGrads", Napi::Function::New(env, TermsAndGrads, "termsAndGrads"));
  exports.Set("evaluate", Napi::Function::New(env, Evaluate, "evaluate"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa, "setIsa"));
  exports.Set("vectorExp", Napi::Function::New(env, VectorExp, "vectorExp"));
  exports.Set("fdlibmExp", Napi::Function::New(env, FdlibmExp, "fdlibmExp"));
  exports.Set("matchInputs", Napi::Function::New(env, MatchInputs, "matchInputs"));
  return exports;
}

}  // namespace

NODE_API_MODULE(protomlp, Init)
