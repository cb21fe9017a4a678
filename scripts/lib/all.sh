# Sources every helper of scripts/lib (for scripts/run, stop, test and stackctl).
# shellcheck source=SCRIPTDIR/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=SCRIPTDIR/mariadb.sh
source "$MK_LIB/mariadb.sh"
# shellcheck source=SCRIPTDIR/nginx.sh
source "$MK_LIB/nginx.sh"
# shellcheck source=SCRIPTDIR/pool.sh
source "$MK_LIB/pool.sh"
# shellcheck source=SCRIPTDIR/stack.sh
source "$MK_LIB/stack.sh"
