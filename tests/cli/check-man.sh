#!/bin/sh
# check-man.sh ZMM MANPAGE -- the manual page (docs/zmm.1.in, configured) is
# true to `zmm help`: it has a section for every command `zmm help` lists,
# mentions every long option each `zmm help COMMAND` shows, and says the
# version `zmm --version` says. When groff is there, the page also renders
# without warnings.
#
# Mutation seen failing (2026-12-02): every "\-\-no\-dict" replaced in a
# scratch copy of the page: "zmm.1 does not mention --no-dict (zmm help
# pack)" (and add).
set -u
zmm=$1 page=$2
status=0
# The page's text with roff's escaped hyphens plain.
text=$(sed 's/\\-/-/g' "$page")

commands=$("$zmm" help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
[ -n "$commands" ] || { echo "no commands in 'zmm help'"; exit 1; }
for c in $commands; do
    case $text in
    *".SS \"zmm $c"*) ;;
    *) echo "zmm.1 has no section for 'zmm $c'"; status=1 ;;
    esac
    [ "$c" = help ] && continue # `zmm help help` is not a thing
    opts=$("$zmm" help "$c" | grep -o -- '--[a-z][a-z-]*' | sort -u)
    [ -n "$opts" ] || { echo "zmm help $c shows no options"; status=1; }
    for opt in $opts; do
        case $text in
        *"$opt"*) ;;
        *) echo "zmm.1 does not mention $opt (zmm help $c)"; status=1 ;;
        esac
    done
done
version=$("$zmm" --version | awk '{ print $2 }')
case $text in
*"zmmio $version"*) ;;
*) echo "zmm.1 does not say version $version"; status=1 ;;
esac
if command -v groff >/dev/null 2>&1; then
    warnings=$(groff -man -ww -z "$page" 2>&1)
    if [ -n "$warnings" ]; then
        echo "groff warns about zmm.1:"
        echo "$warnings"
        status=1
    fi
fi
[ "$status" = 0 ] && echo "zmm.1 covers the $(echo $commands | wc -w) commands of zmm help and their options"
exit $status
