#!/bin/sh
# Turns a text file into a C string constant: embed.sh NAME FILE > out.c
name=$1; file=$2
printf '/* generated from %s by schema/embed.sh; do not edit */\n' "$file"
printf 'extern const char %s[];\nconst char %s[] =\n' "$name" "$name"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$file"
printf ';\n'
