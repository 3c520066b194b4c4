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
 * English strings of local_coursebridge.
 *
 * @package    local_coursebridge
 * @copyright  2026 coursebridge developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['cartridgefailed'] = 'The cartridge could not be restored: {$a}';
$string['coursebridge:publish'] = 'Publish coursebridge courses through web services';
$string['coursenotempty'] = 'This course already holds content published by coursebridge: restore the cartridge into an empty course';
$string['nodraftfile'] = 'No file in draft area {$a}: upload the package with webservice/upload.php first';
$string['notacartridge'] = 'The uploaded file is not an IMS Common Cartridge 1.1 (format detected: {$a})';
$string['pluginname'] = 'coursebridge';
$string['privacy:metadata'] = 'The coursebridge plugin stores which course module came from which coursebridge item; it stores no personal data.';
$string['unknownitem'] = 'No course module was published from item {$a} in this course';
$string['wrongmodule'] = 'Item {$a->itemkey} is a {$a->modname}, not a {$a->expected}';
