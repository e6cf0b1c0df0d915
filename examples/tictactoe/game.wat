;; Tic-tac-toe, the wasm side: the rules, the board and the turn order live
;; here; the players, and the screen, are the host's.
;; Rebuild game.wasm with: examples/tictactoe/build_wasm.sh
;;
;; Imports (all from the host, module "env"):
;;   get_move_for_player(player i32) -> i32   a cell 0..8; player 1 = X, 2 = O
;;   draw_board()                             the board changed: show it
;;   announce(winner i32, by_forfeit i32)     winner 0 = draw, 1 = X, 2 = O
;; Exports:
;;   play() -> i32      plays one whole game, X first; returns the winner
;;   game_mem           the linear memory (1 page), laid out as:
;;     16..24  the board, row-major: 0 empty, 1 X, 2 O
;;     25      moves of the current player rejected this turn (0..2)
;;     64..87  the eight winning lines, three cells each (private)
;;
;; A move is rejected if it is off the board or on a taken cell; the player is
;; asked again, at most three times a turn, then forfeits the game.
(module
  (import "env" "get_move_for_player" (func $get_move_for_player (param i32) (result i32)))
  (import "env" "draw_board" (func $draw_board))
  (import "env" "announce" (func $announce (param i32 i32)))

  (memory (export "game_mem") 1)
  (data (i32.const 64)
    "\00\01\02" "\03\04\05" "\06\07\08"   ;; rows
    "\00\03\06" "\01\04\07" "\02\05\08"   ;; columns
    "\00\04\08" "\02\04\06")              ;; diagonals

  (global $max_attempts i32 (i32.const 3))

  (func $cell (param $index i32) (result i32)
    (i32.load8_u offset=16 (local.get $index)))

  ;; The player holding all three cells of line $line (0..7), or 0.
  (func $line_owner (param $line i32) (result i32)
    (local $base i32) (local $owner i32)
    (local.set $base (i32.add (i32.const 64) (i32.mul (local.get $line) (i32.const 3))))
    (local.set $owner (call $cell (i32.load8_u (local.get $base))))
    (if (result i32)
        (i32.and
          (i32.eq (local.get $owner) (call $cell (i32.load8_u offset=1 (local.get $base))))
          (i32.eq (local.get $owner) (call $cell (i32.load8_u offset=2 (local.get $base)))))
      (then (local.get $owner))
      (else (i32.const 0))))

  ;; The player who owns a line, or 0.
  (func $winner (result i32)
    (local $line i32) (local $owner i32)
    (loop $lines
      (local.set $owner (call $line_owner (local.get $line)))
      (if (local.get $owner) (then (return (local.get $owner))))
      (local.set $line (i32.add (local.get $line) (i32.const 1)))
      (br_if $lines (i32.lt_u (local.get $line) (i32.const 8))))
    (i32.const 0))

  ;; Asks $player for a move until a valid one (then places it and returns 1)
  ;; or $max_attempts rejected ones (returns 0).
  (func $take_turn (param $player i32) (result i32)
    (local $attempt i32) (local $move i32)
    (loop $ask
      (i32.store8 (i32.const 25) (local.get $attempt))
      (local.set $move (call $get_move_for_player (local.get $player)))
      ;; Two ifs, not i32.and: an off-board move must not be read.
      (if (i32.lt_u (local.get $move) (i32.const 9))
        (then
          (if (i32.eqz (call $cell (local.get $move)))
            (then
              (i32.store8 offset=16 (local.get $move) (local.get $player))
              (return (i32.const 1))))))
      (local.set $attempt (i32.add (local.get $attempt) (i32.const 1)))
      (br_if $ask (i32.lt_u (local.get $attempt) (global.get $max_attempts))))
    (i32.const 0))

  (func (export "play") (result i32)
    (local $player i32) (local $moves i32) (local $winner i32)
    (memory.fill (i32.const 16) (i32.const 0) (i32.const 10))
    (local.set $player (i32.const 1))
    (loop $turn
      (if (i32.eqz (call $take_turn (local.get $player)))
        (then
          (local.set $winner (i32.sub (i32.const 3) (local.get $player)))
          (call $announce (local.get $winner) (i32.const 1))
          (return (local.get $winner))))
      (call $draw_board)
      (local.set $winner (call $winner))
      (local.set $moves (i32.add (local.get $moves) (i32.const 1)))
      (if (i32.or (local.get $winner) (i32.eq (local.get $moves) (i32.const 9)))
        (then
          (call $announce (local.get $winner) (i32.const 0))
          (return (local.get $winner))))
      (local.set $player (i32.sub (i32.const 3) (local.get $player)))
      (br $turn))
    (unreachable)))
