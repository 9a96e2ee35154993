// `npm run studio`: the studio launcher from the sources (tsx), same behaviour as
// `bash scripts/studio.sh` without the setup and build steps.
import './studio-launcher';
