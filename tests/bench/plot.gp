# SPDX-License-Identifier: LGPL-2.1-or-later
# gnuplot -e "dat='local.dat'; out='DIR'; n=6" tests/bench/plot.gp
# Plots bench_sim's data file: per capture (one block each, titled by its
# first comment line), the share of guests placed on one node against the
# booked load, for each algorithm. Writes out/local-share.png (guests one
# node could hold) and out/local-share-all.png (all placed guests).
set terminal pngcairo size 1500,900 font ",10" noenhanced
set datafile commentschars "#"
set key bottom left font ",8"
set xrange [0.45:1.02]
set xlabel "booked load"
set grid

algos = "builtin-pack builtin-spread numad numad-sampled xl first-fit"

do for [which = 0:1] {
	set output out . (which == 0 ? "/local-share.png" : "/local-share-all.png")
	set multiplot layout 2,3 title (which == 0 ? \
		"guests kept on one node when one node could hold them (%)" : \
		"all placed guests on one node (%)")
	set yrange [0:105]
	do for [b = 0:n-1] {
		name = system(sprintf("awk 'BEGIN { RS = \"\\n\\n\\n\" } NR == %d { sub(/^# /, \"\"); print $1 }' %s", b + 1, dat))
		set title name
		plot for [a = 1:6] dat index b using 1:(column(1 + a + 6 * which)) \
			with linespoints title word(algos, a)
	}
	unset multiplot
}
