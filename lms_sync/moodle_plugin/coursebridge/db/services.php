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
 * Web service functions of local_coursebridge, and the external service holding all that coursebridge calls.
 *
 * @package    local_coursebridge
 * @copyright  2026 coursebridge developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$functions = [
    'local_coursebridge_get_status' => [
        'classname' => 'local_coursebridge\external\get_status',
        'description' => 'The plugin version, and which of the given capabilities the user holds in a course or category.',
        'type' => 'read',
    ],
    'local_coursebridge_get_items' => [
        'classname' => 'local_coursebridge\external\get_items',
        'description' => 'The course modules published from coursebridge items in a course, with their content hash.',
        'type' => 'read',
    ],
    'local_coursebridge_restore_cartridge' => [
        'classname' => 'local_coursebridge\external\restore_cartridge',
        'description' => 'Restore an IMS Common Cartridge 1.1 from the user\'s draft area into an existing course.',
        'type' => 'write',
    ],
    'local_coursebridge_save_scorm' => [
        'classname' => 'local_coursebridge\external\save_scorm',
        'description' => 'Create or update the SCORM activity of a course from a package in the user\'s draft area.',
        'type' => 'write',
    ],
    'local_coursebridge_create_forum' => [
        'classname' => 'local_coursebridge\external\create_forum',
        'description' => 'Create a forum in a section of a course, once per coursebridge item.',
        'type' => 'write',
    ],
    'local_coursebridge_update_page' => [
        'classname' => 'local_coursebridge\external\update_page',
        'description' => 'Replace the content of a page published from a coursebridge item.',
        'type' => 'write',
    ],
    'local_coursebridge_get_scorm_tracks' => [
        'classname' => 'local_coursebridge\external\get_scorm_tracks',
        'description' => 'Every attempt of the given learners in a SCORM activity: the launchable SCO\'s tracks, in one call.',
        'type' => 'read',
    ],
];

// Every core function coursebridge calls: with the plugin's, an administrator creates one token for one service.
$corefunctions = [
    'core_webservice_get_site_info',
    'core_course_get_categories',
    'core_course_create_categories',
    'core_course_get_courses_by_field',
    'core_course_create_courses',
    'core_course_update_courses',
    'core_course_get_contents',
    'core_update_inplace_editable',
    'core_user_get_users_by_field',
    'core_user_create_users',
    'core_user_update_users',
    'core_enrol_get_enrolled_users',
    'enrol_manual_enrol_users',
    'enrol_manual_unenrol_users',
    'core_cohort_get_cohorts',
    'core_cohort_create_cohorts',
    'core_cohort_get_cohort_members',
    'core_cohort_add_cohort_members',
    'core_cohort_delete_cohort_members',
    'core_group_get_course_groups',
    'core_group_create_groups',
    'core_group_get_group_members',
    'core_group_add_group_members',
    'core_group_delete_group_members',
    'mod_forum_get_forums_by_courses',
    'mod_forum_get_forum_discussions',
    'mod_forum_add_discussion',
    'mod_forum_get_discussion_posts',
    'mod_scorm_get_scorms_by_courses',
    'mod_scorm_get_scorm_sco_tracks',
];

$services = [
    'coursebridge' => [
        'shortname' => 'local_coursebridge',
        'functions' => array_merge($corefunctions, array_keys($functions)),
        'restrictedusers' => 0, // Any user the administrator creates a token for.
        'enabled' => 1,
        'uploadfiles' => 1, // Packages reach the draft area through webservice/upload.php.
        'downloadfiles' => 0,
    ],
];
