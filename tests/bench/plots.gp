# plots.gp -- the benchmark's plots, called by run-bench.sh:
#   gnuplot -e "dat='X.dat'; out='X.png'; ttl='...'; ylab='...'; logy=1; n=4; ref=0" plots.gp
# X.dat: tab-separated, a header row ("system", one column per data set),
# then one row per system (or target); "?" marks a missing value. Draws one
# cluster of bars per row; with ref > 0 a dashed line at y = ref.
set terminal pngcairo size 1200,620 font "Liberation Sans,10" noenhanced
set output out
set datafile separator "\t"
set datafile missing "?"
set title ttl
set ylabel ylab
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key outside right top vertical
set xtics rotate by -20 scale 0 left
set bmargin 9
if (logy) { set logscale y 10 } else { set yrange [0:*] }
if (ref > 0) {
    set arrow 1 from graph 0, first ref to graph 1, first ref nohead dashtype 2 linewidth 1.5 linecolor rgb "#aa0000"
}
plot for [i=2:n+1] dat using i:xtic(1) title columnheader(i)
