// Tic-tac-toe: a C++ host embedding WaspVM. game.wasm holds the rules and the
// board; this program gives it its players and its screen through three host
// functions, and reads the board straight out of the module's memory.
//
//   tictactoe [game.wasm] [--moves 4,0,8 | --interactive]
//
// X is a small AI on the host. O plays the --moves list (then the first free
// cell), reads cells from stdin (--interactive), or by default takes the
// first free cell.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "waspvm/waspvm.h"

namespace {

using waspvm::Caller;
using waspvm::Result;

// game_mem's layout, from game.wat.
constexpr uint32_t kBoardOffset = 16;     // 9 cells, row-major: 0 empty, 1 X, 2 O
constexpr uint32_t kRejectedOffset = 25;  // moves rejected so far this turn
constexpr int kMaxAttempts = 3;

using Board = std::array<uint8_t, 9>;
constexpr int kLines[8][3] = {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {0, 3, 6},
                              {1, 4, 7}, {2, 5, 8}, {0, 4, 8}, {2, 4, 6}};

// '.', 'X' or 'O' for a cell (0, 1, 2) or a player (1, 2).
char mark(int value) { return value >= 0 && value <= 2 ? ".XO"[value] : '?'; }

// The board, read from the memory the module exports as "game_mem".
Result<Board> read_board(const std::optional<waspvm::Memory>& memory) {
  if (!memory) return waspvm::make_error("game.wasm exports no memory named game_mem");
  auto bytes = memory->read(kBoardOffset, 9);
  if (!bytes) return bytes.error();
  Board board;
  std::copy(bytes->begin(), bytes->end(), board.begin());
  return board;
}

void print_board(const Board& b) {
  for (int row = 0; row < 9; row += 3)
    std::printf("  %c %c %c\n", mark(b[row]), mark(b[row + 1]), mark(b[row + 2]));
}

int first_free_cell(const Board& b) {
  for (int cell = 0; cell < 9; ++cell)
    if (b[cell] == 0) return cell;
  return 0;  // a full board: the game is over, nobody asks
}

// The free cell that completes a line of `player`, or -1.
int winning_cell(const Board& b, int player) {
  for (const auto& line : kLines) {
    int mine = 0, free_cell = -1;
    for (int cell : line) {
      if (b[cell] == player) ++mine;
      if (b[cell] == 0) free_cell = cell;
    }
    if (mine == 2 && free_cell >= 0) return free_cell;
  }
  return -1;
}

// X: win if possible, else block O, else the center, a corner, an edge.
int x_strategy(const Board& b) {
  if (int cell = winning_cell(b, 1); cell >= 0) return cell;
  if (int cell = winning_cell(b, 2); cell >= 0) return cell;
  for (int cell : {4, 0, 2, 6, 8, 1, 3, 5, 7})
    if (b[cell] == 0) return cell;
  return 0;
}

// O: the scripted moves, then the first free cell; or a human on stdin.
struct OPlayer {
  std::vector<int> script;
  size_t next = 0;
  bool interactive = false;

  int choose(const Board& b) {
    if (!interactive) return next < script.size() ? script[next++] : first_free_cell(b);
    std::printf("O, your move (0-8): ");
    std::fflush(stdout);
    std::string line;
    if (!std::getline(std::cin, line)) return -1;  // end of input: invalid moves, then a forfeit
    int cell = -1;
    std::from_chars(line.data(), line.data() + line.size(), cell);
    return cell;
  }
};

std::optional<std::vector<int>> parse_moves(std::string_view list) {
  std::vector<int> moves;
  while (!list.empty()) {
    int cell = 0;
    auto [end, error] = std::from_chars(list.data(), list.data() + list.size(), cell);
    if (error != std::errc() || (end != list.data() + list.size() && *end != ',')) return std::nullopt;
    moves.push_back(cell);
    list.remove_prefix(end - list.data());
    if (!list.empty()) list.remove_prefix(1);
  }
  return moves;
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int fail(const std::string& message) {
  std::fprintf(stderr, "tictactoe: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path wasm_path = std::filesystem::path(argv[0]).parent_path() / "game.wasm";
  OPlayer o_player;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--interactive") {
      o_player.interactive = true;
    } else if (arg == "--moves" && i + 1 < argc) {
      auto moves = parse_moves(argv[++i]);
      if (!moves) return fail("--moves takes cells separated by commas, such as 4,0,8");
      o_player.script = *moves;
    } else if (!arg.starts_with("--")) {
      wasm_path = arg;
    } else {
      return fail("usage: tictactoe [game.wasm] [--moves 4,0,8 | --interactive]");
    }
  }

  // Compile the module once; instantiate it with the host functions it imports.
  std::vector<uint8_t> bytes = read_file(wasm_path);
  if (bytes.empty()) return fail("cannot read " + wasm_path.string());
  waspvm::Engine engine;
  auto module = waspvm::Module::compile(engine, bytes);
  if (!module) return fail(module.error().message);

  // Linker::func derives each wasm signature from the lambda's C++ one; a
  // leading Caller& gives the function its calling instance. Returning an
  // error from a Result<...> traps the wasm code that called.
  waspvm::Linker linker(engine);
  linker.func("env", "get_move_for_player", [&o_player](Caller& caller, int32_t player) -> Result<int32_t> {
    auto memory = caller.memory("game_mem");
    auto board = read_board(memory);
    if (!board) return board.error();
    auto rejected = memory->read(kRejectedOffset, 1);
    if (!rejected) return rejected.error();
    if ((*rejected)[0] > 0)
      std::printf("  rejected; asking again (%d of %d)\n", (*rejected)[0] + 1, kMaxAttempts);
    int32_t cell = player == 1 ? x_strategy(*board) : o_player.choose(*board);
    std::printf("%c plays %d\n", mark(player), cell);
    return cell;
  });
  linker.func("env", "draw_board", [](Caller& caller) -> Result<void> {
    auto board = read_board(caller.memory("game_mem"));
    if (!board) return board.error();
    print_board(*board);
    return {};
  });
  linker.func("env", "announce", [](int32_t winner, int32_t by_forfeit) {
    if (winner == 0)
      std::printf("Draw.\n");
    else if (by_forfeit)
      std::printf("%c wins: %c forfeits.\n", mark(winner), mark(3 - winner));
    else
      std::printf("%c wins.\n", mark(winner));
  });
  auto instance = linker.instantiate(*module);
  if (!instance) return fail(instance.error().message);

  // Play: one call into wasm, which calls back into the host for every move.
  const char* o_source = o_player.interactive ? "stdin" : "scripted moves, then the first free cell";
  std::printf("X: host AI; O: %s\n", o_source);
  auto outcome = instance->call("play", {});
  if (!outcome) return fail(outcome.error().message);
  if (outcome->trapped()) return fail("game.wasm trapped: " + outcome->trap().message);
  int winner = outcome->values()[0].i32();

  // The game is over, the memory is still there: read it from outside.
  auto board = read_board(instance->memory("game_mem"));
  if (!board) return fail(board.error().message);
  std::printf("play() returned %d; game_mem[%u..%u] = ", winner, kBoardOffset, kBoardOffset + 8);
  for (uint8_t cell : *board) std::printf("%c", mark(cell));
  std::printf("\n");
  return 0;
}
