// The arena: bots (bots.wasm, three strategies) on a grid, each run with a
// gas budget per tick. A bot's turn ends when it acts (arena.act suspends it
// with a host yield) or when the tick's gas runs out (it goes on thinking
// next tick). Some bots leave the arena for a while: their instance is
// snapshotted into a SQLite database, dropped, and later restored from the
// database, and goes on exactly where it stopped. With --no-snapshots the
// leaving bots just stay in memory, unrun; stdout is the same either way
// (the snapshot traffic goes to stderr).
//
//   arena [--no-snapshots] [--db FILE] [--ticks N] [BOTS.wasm]
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "waspvm/waspvm.h"

namespace {

using namespace waspvm;

constexpr int kGrid = 10;
constexpr uint64_t kGasPerTick = 2000;
constexpr int kRange = 4;
const char* const kStrategies[] = {"hunter", "thinker", "wanderer"};
const char* const kActions[] = {"moves N", "moves E", "moves S", "moves W", "fires N",
                                "fires E", "fires S", "fires W", "waits"};

struct Bot {
  int id = 0;
  int strategy = 0;
  int x = 0, y = 0;
  int hp = 3;
  std::optional<Instance> instance;  // empty while away with snapshots on
  std::optional<int32_t> pending;    // the result of its last act, for the resume
  bool started = false;
  int32_t action = -1;  // set by arena.act
  bool alive() const { return hp > 0; }
};

// When bots leave and come back: bot, first tick away, first tick back.
struct Away {
  int bot, from, until;
};
const Away kAway[] = {{1, 6, 11}, {2, 9, 14}, {0, 15, 17}, {1, 20, 23}};

bool is_away(int bot, int tick) {
  for (const Away& a : kAway)
    if (a.bot == bot && tick >= a.from && tick < a.until) return true;
  return false;
}

class Arena {
 public:
  Arena(const std::vector<uint8_t>& wasm, bool snapshots, const std::string& db_path)
      : engine_(metered()), linker_(engine_), snapshots_(snapshots) {
    linker_.func("arena", "look", [this](int32_t what) { return look(what); });
    linker_.func("arena", "act", [this](Caller& caller, int32_t action) -> Result<int32_t> {
      current_->action = action;
      return caller.yield();  // the turn ends; the host applies the action
    });
    module_.emplace(Module::compile(engine_, wasm).value());
    for (int i = 0; i < 3; ++i) {
      Bot bot;
      bot.id = i;
      bot.strategy = i;
      bot.x = i == 1 ? kGrid - 2 : 1 + 3 * i;
      bot.y = i == 0 ? 1 : kGrid - 2 - i;
      bot.instance.emplace(linker_.instantiate(*module_).value());
      bots_.push_back(std::move(bot));
    }
    if (snapshots_) open_db(db_path);
  }
  ~Arena() {
    if (db_ != nullptr) sqlite3_close(db_);
  }

  void run(int ticks) {
    for (int tick = 1; tick <= ticks; ++tick) {
      tick_ = tick;
      for (Bot& bot : bots_) {
        if (!bot.alive()) continue;
        bool away = is_away(bot.id, tick);
        if (away && bot.instance && snapshots_) leave(bot);
        if (!away && !bot.instance) come_back(bot);
        if (away) {
          if (!is_away(bot.id, tick - 1)) std::printf("tick %d: bot %d leaves the arena\n", tick, bot.id);
          continue;
        }
        if (is_away(bot.id, tick - 1)) std::printf("tick %d: bot %d is back\n", tick, bot.id);
        turn(bot);
      }
    }
    for (const Bot& bot : bots_) {
      int hits = bot.instance ? bot.instance->global("hits")->get().i32() : -1;
      std::printf("bot %d (%s): hp %d at (%d,%d), %d hits\n", bot.id, kStrategies[bot.strategy], bot.hp,
                  bot.x, bot.y, hits);
    }
  }

 private:
  static Config metered() {
    Config config;
    config.metering = true;
    return config;
  }

  const Bot* target_of(const Bot& me) const {
    const Bot* best = nullptr;
    int best_distance = 1 << 30;
    for (const Bot& other : bots_) {
      if (&other == &me || !other.alive() || is_away(other.id, tick_)) continue;
      int d = std::abs(other.x - me.x) + std::abs(other.y - me.y);
      if (d < best_distance) best = &other, best_distance = d;
    }
    return best;
  }

  int32_t look(int32_t what) const {
    const Bot& me = *current_;
    const Bot* target = target_of(me);
    switch (what) {
      case 0: return me.x;
      case 1: return me.y;
      case 2: return target ? target->x : me.x;
      case 3: return target ? target->y : me.y;
      case 4: return me.hp;
      default: return tick_;
    }
  }

  // Runs the bot for one tick's gas; returns whether it acted.
  void turn(Bot& bot) {
    current_ = &bot;
    bot.action = -1;
    CallOptions options;
    options.gas_limit = kGasPerTick;
    options.on_out_of_gas = OutOfGas::Suspend;
    Result<Outcome> out = Error{""};
    if (!bot.started) {
      out = bot.instance->call("run", std::vector<Value>{Value::i32(bot.strategy)}, options);
      bot.started = true;
    } else {
      ResumeOptions more;
      more.gas_limit = kGasPerTick;
      std::vector<Value> results;
      if (bot.pending) results.push_back(Value::i32(*bot.pending));
      bot.pending.reset();
      out = bot.instance->resume(more, results);
    }
    if (!out.ok() || !out->suspended()) {
      std::printf("tick %d: bot %d stopped (%s)\n", tick_, bot.id,
                  !out.ok()        ? out.error().message.c_str()
                  : out->trapped() ? out->trap().message.c_str()
                                   : "returned");
      bot.hp = 0;
      return;
    }
    if (out->suspend_reason() == SuspendReason::OutOfGas) {
      std::printf("tick %d: bot %d is thinking (%llu gas)\n", tick_, bot.id,
                  static_cast<unsigned long long>(out->gas_used()));
      return;
    }
    bot.pending = apply(bot, bot.action);
  }

  // The action's effect; 1 when a shot hit.
  int32_t apply(Bot& bot, int32_t action) {
    static const int dx[] = {0, 1, 0, -1}, dy[] = {-1, 0, 1, 0};
    if (action < 0 || action > 8) action = 8;
    std::printf("tick %d: bot %d at (%d,%d) %s", tick_, bot.id, bot.x, bot.y, kActions[action]);
    int32_t hit = 0;
    if (action < 4) {
      bot.x = std::clamp(bot.x + dx[action], 0, kGrid - 1);
      bot.y = std::clamp(bot.y + dy[action], 0, kGrid - 1);
    } else if (action < 8) {
      for (int step = 1; step <= kRange && !hit; ++step) {
        int x = bot.x + dx[action - 4] * step, y = bot.y + dy[action - 4] * step;
        for (Bot& other : bots_) {
          if (&other == &bot || !other.alive() || is_away(other.id, tick_) || other.x != x || other.y != y)
            continue;
          other.hp -= 1;
          hit = 1;
          std::printf(", hits bot %d (hp %d)", other.id, other.hp);
          break;
        }
      }
    }
    std::printf("\n");
    return hit;
  }

  void open_db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) fail("sqlite3_open");
    exec("DROP TABLE IF EXISTS away");
    exec(
        "CREATE TABLE away (bot INTEGER PRIMARY KEY, snapshot BLOB NOT NULL, pending INTEGER, started "
        "INTEGER)");
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  [[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "arena: %s: %s\n", what.c_str(), db_ ? sqlite3_errmsg(db_) : "");
    std::exit(1);
  }

  // Saves the bot into the database and drops its instance.
  void leave(Bot& bot) {
    auto bytes = bot.instance->snapshot();
    if (!bytes.ok()) fail("snapshot: " + bytes.error().message);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO away VALUES (?, ?, ?, ?)", -1, &stmt, nullptr);
    sqlite3_bind_int(stmt, 1, bot.id);
    sqlite3_bind_blob(stmt, 2, bytes->data(), static_cast<int>(bytes->size()), SQLITE_TRANSIENT);
    if (bot.pending) {
      sqlite3_bind_int(stmt, 3, *bot.pending);
    } else {
      sqlite3_bind_null(stmt, 3);
    }
    sqlite3_bind_int(stmt, 4, bot.started ? 1 : 0);
    if (sqlite3_step(stmt) != SQLITE_DONE) fail("insert");
    sqlite3_finalize(stmt);
    bot.instance.reset();
    bot.pending.reset();
    std::fprintf(stderr, "arena: tick %d: bot %d saved to the database (%zu bytes) and dropped\n", tick_,
                 bot.id, bytes->size());
  }

  // Restores the bot from the database.
  void come_back(Bot& bot) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, "SELECT snapshot, pending, started FROM away WHERE bot = ?", -1, &stmt, nullptr);
    sqlite3_bind_int(stmt, 1, bot.id);
    if (sqlite3_step(stmt) != SQLITE_ROW) fail("select");
    auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 0));
    std::vector<uint8_t> bytes(data, data + sqlite3_column_bytes(stmt, 0));
    if (sqlite3_column_type(stmt, 1) != SQLITE_NULL) bot.pending = sqlite3_column_int(stmt, 1);
    bot.started = sqlite3_column_int(stmt, 2) != 0;
    sqlite3_finalize(stmt);
    auto restored = linker_.restore(*module_, bytes);
    if (!restored.ok()) fail("restore: " + restored.error().message);
    bot.instance.emplace(std::move(*restored));
    std::fprintf(stderr, "arena: tick %d: bot %d restored from the database\n", tick_, bot.id);
  }

  Engine engine_;
  Linker linker_;
  std::optional<Module> module_;
  std::vector<Bot> bots_;
  bool snapshots_;
  sqlite3* db_ = nullptr;
  Bot* current_ = nullptr;
  int tick_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  bool snapshots = true;
  std::string db = "arena.db", wasm_path = ARENA_DEFAULT_BOTS;
  int ticks = 30;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--no-snapshots") {
      snapshots = false;
    } else if (arg == "--db" && i + 1 < argc) {
      db = argv[++i];
    } else if (arg == "--ticks" && i + 1 < argc) {
      ticks = std::atoi(argv[++i]);
    } else {
      wasm_path = arg;
    }
  }
  std::ifstream in(wasm_path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "arena: cannot read %s\n", wasm_path.c_str());
    return 1;
  }
  std::vector<uint8_t> wasm((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Arena(wasm, snapshots, db).run(ticks);
  return 0;
}
