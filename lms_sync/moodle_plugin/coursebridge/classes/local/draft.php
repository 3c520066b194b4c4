<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * The file a web service client uploaded to its draft area.
 *
 * @package    local_coursebridge
 * @copyright  2026 coursebridge developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_coursebridge\local;

/**
 * Files come through core's webservice/upload.php, which stores them in the token user's draft area.
 */
class draft {
    /**
     * The one file of a draft item of the current user.
     *
     * @param int $draftitemid The itemid webservice/upload.php answered with.
     * @return \stored_file
     */
    public static function single_file(int $draftitemid): \stored_file {
        global $USER;
        $context = \context_user::instance($USER->id);
        $files = get_file_storage()->get_area_files($context->id, 'user', 'draft', $draftitemid, 'id DESC', false);
        if (!$files) {
            throw new \moodle_exception('nodraftfile', 'local_coursebridge', '', $draftitemid);
        }
        return reset($files);
    }
}
