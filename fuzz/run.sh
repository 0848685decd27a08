#!/usr/bin/env bash
# Run the libFuzzer targets of fuzz/bin/ (built by `make fuzz-build`).
#
#   fuzz/run.sh smoke 0 TARGET...     every target: its seeds, its regressions
#                                     and a bounded run (SMOKE_RUNS executions or
#                                     SMOKE_TIME seconds); one TAP line each
#   fuzz/run.sh long SECONDS TARGET... every target for SECONDS (or FUZZ_RUNS
#                                     executions, whichever ends first), one at a time,
#                                     corpus kept in fuzz/work/<target>/,
#                                     crashes in fuzz/artifacts/<target>/
#   fuzz/run.sh replay 0 TARGET...    seeds and regressions only
#   fuzz/run.sh hunt SECONDS          fuzz_dkim_verify without sanitizers under
#                                     glibc's malloc checks (heap corruption in
#                                     libopendkim/OpenSSL); the input that
#                                     aborts goes to fuzz/artifacts/fuzz_dkim_verify/
#
# Per-target options: -max_len below, and fuzz/<target>.dict when present.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:?mode}
secs=${2:-60}
shift 2
SMOKE_RUNS=${SMOKE_RUNS:-20000}
SMOKE_TIME=${SMOKE_TIME:-12}

opts_for() {
	local t=$1 o="-timeout=10 -rss_limit_mb=2048 -print_final_stats=1"
	case $t in
		fuzz_dkim_verify) o="$o -max_len=16384" ;;
		fuzz_spf_eval | fuzz_spf_record | fuzz_authres | fuzz_msg | fuzz_trust | fuzz_report) o="$o -max_len=8192" ;;
		*) o="$o -max_len=4096" ;;
	esac
	[ -f "fuzz/$t.dict" ] && o="$o -dict=fuzz/$t.dict"
	echo "$o"
}

dirs_for() {
	local t=$1 d=""
	[ -d "fuzz/corpus/$t" ] && d="$d fuzz/corpus/$t"
	[ -d "fuzz/regressions/$t" ] && d="$d fuzz/regressions/$t"
	echo "$d"
}

stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

case $mode in
	smoke | replay)
		echo "1..$#"
		n=0
		fails=0
		for t in "$@"; do
			n=$((n + 1))
			bin=fuzz/bin/$t
			tmp=$(mktemp -d)
			mkdir "$tmp/corpus" "$tmp/art"
			if [ ! -x "$bin" ]; then
				echo "not ok $n - $t: not built (make fuzz-build)"
				fails=$((fails + 1))
				continue
			fi
			if [ "$mode" = replay ]; then
				extra="-runs=0"
			else
				extra="-runs=$SMOKE_RUNS -max_total_time=$SMOKE_TIME -seed=1"
			fi
			# the scratch dir first: new inputs go there, never into the tree
			# shellcheck disable=SC2046
			"$bin" $(opts_for "$t") $extra -artifact_prefix="$tmp/art/" "$tmp/corpus" $(dirs_for "$t") \
				>"$tmp/log" 2>&1
			rc=$?
			runs=$(stat_of number_of_executed_units "$tmp/log")
			speed=$(stat_of average_exec_per_sec "$tmp/log")
			seeds=$(sed -n 's/.*INFO: seed corpus: files: \([0-9]*\).*/\1/p' "$tmp/log" | head -1)
			plain=""
			if [ $rc -eq 0 ] && [ "$t" = fuzz_dkim_verify ] && [ -x fuzz/bin/plain/"$t" ]; then
				# ASan does not see heap overflows inside libopendkim (not
				# instrumented): replay the seeds and regressions on the plain
				# build under glibc's malloc checks too, which abort on the free()
				# after such an overflow (regressions/FIXED.md)
				mkdir "$tmp/pcorpus"
				# shellcheck disable=SC2046
				LD_PRELOAD=libc_malloc_debug.so.0 MALLOC_CHECK_=3 fuzz/bin/plain/"$t" $(opts_for "$t") \
					-runs=0 -handle_abrt=0 "$tmp/pcorpus" $(dirs_for "$t") >"$tmp/plain.log" 2>&1
				prc=$?
				if [ $prc -ne 0 ]; then
					rc=$prc
					plain=" replaying seeds and regressions on the plain build under glibc malloc checks"
					[ -f fuzz/bin/plain/last-input ] && cp fuzz/bin/plain/last-input "$tmp/art/plain-last-input"
					grep -aE 'free\(\)|malloc|corrupt' "$tmp/plain.log" | head -2 >>"$tmp/log"
				else
					plain="; plain build under glibc malloc checks: replay clean"
				fi
			fi
			if [ $rc -eq 0 ]; then
				case ${speed:-0} in 0) speed="" ;; *) speed=", $speed exec/s" ;; esac
				echo "ok $n - $t: ${runs:-?} runs, no crash (${seeds:-0} corpus files replayed$speed$plain)"
			else
				if [ -n "$plain" ]; then
					echo "not ok $n - $t: heap corruption (exit $rc)$plain"
				else
					echo "not ok $n - $t: crash after ${runs:-?} runs (exit $rc)"
				fi
				grep -aE "ERROR: |FUZZ CHECK|runtime error|Assertion|SUMMARY|free\(\)|malloc\(\)|corrupt" "$tmp/log" |
					head -5 | sed 's/^/# /'
				if [ -n "$(ls "$tmp/art")" ]; then
					mkdir -p fuzz/artifacts/"$t"
					cp "$tmp"/art/* fuzz/artifacts/"$t"/
					ls "$tmp/art" | sed "s|^|# artifact: fuzz/artifacts/$t/|"
				fi
				fails=$((fails + 1))
			fi
			rm -rf "$tmp"
		done
		echo "$((n - fails)) passed, $fails failed"
		[ $fails -eq 0 ]
		;;
	long)
		fails=0
		for t in "$@"; do
			mkdir -p fuzz/work/"$t" fuzz/artifacts/"$t" fuzz/logs
			log=fuzz/logs/$t.log
			runs_opt=""
			[ -n "${FUZZ_RUNS:-}" ] && runs_opt="-runs=$FUZZ_RUNS"
			echo "== $t: $secs s${FUZZ_RUNS:+ or $FUZZ_RUNS executions}"
			# shellcheck disable=SC2046
			fuzz/bin/"$t" $(opts_for "$t") -max_total_time="$secs" $runs_opt \
				-artifact_prefix=fuzz/artifacts/"$t"/ fuzz/work/"$t" $(dirs_for "$t") >"$log" 2>&1
			rc=$?
			runs=$(stat_of number_of_executed_units "$log")
			speed=$(stat_of average_exec_per_sec "$log")
			cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
			corpus=$(ls fuzz/work/"$t" | wc -l)
			if [ $rc -eq 0 ]; then
				echo "   $t: $runs runs, $speed exec/s, $cov, $corpus inputs in fuzz/work/$t, no crash"
			else
				echo "   $t: CRASH (exit $rc) after $runs runs; see $log and fuzz/artifacts/$t/"
				grep -E "ERROR: |FUZZ CHECK|runtime error|Assertion|SUMMARY" "$log" | head -5 | sed 's/^/   /'
				fails=$((fails + 1))
			fi
		done
		[ $fails -eq 0 ]
		;;
	hunt)
		mkdir -p fuzz/work/fuzz_dkim_verify fuzz/artifacts/fuzz_dkim_verify fuzz/logs
		rm -f fuzz/bin/plain/last-input
		# -handle_abrt=0: after heap corruption libFuzzer's own handler would
		# deadlock in malloc; the target saved the input before running it
		# shellcheck disable=SC2046
		LD_PRELOAD=libc_malloc_debug.so.0 MALLOC_CHECK_=3 fuzz/bin/plain/fuzz_dkim_verify \
			$(opts_for fuzz_dkim_verify) -handle_abrt=0 -max_total_time="$secs" \
			fuzz/work/fuzz_dkim_verify fuzz/corpus/fuzz_dkim_verify >fuzz/logs/hunt.log 2>&1
		rc=$?
		if [ $rc -ne 0 ] && [ -f fuzz/bin/plain/last-input ]; then
			a=fuzz/artifacts/fuzz_dkim_verify/heap-$(sha1sum <fuzz/bin/plain/last-input | cut -c1-16)
			cp fuzz/bin/plain/last-input "$a"
			echo "hunt: abort (exit $rc): $(grep -aE 'free\(\)|malloc|corrupt' fuzz/logs/hunt.log | head -1); input in $a"
			echo "      confirm: valgrind fuzz/bin/plain/fuzz_dkim_verify $a"
			exit 1
		fi
		echo "hunt: $(stat_of number_of_executed_units fuzz/logs/hunt.log) runs, no heap corruption seen (exit $rc)"
		;;
	*)
		echo "usage: $0 smoke|long|replay|hunt SECONDS TARGET..." >&2
		exit 2
		;;
esac
